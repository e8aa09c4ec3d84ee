// Similar solved conversations: the list is fetched when its card comes into view (the search
// costs more than the rest of the page, and most visits never scroll there); "Use this reply"
// puts the reply that solved one in the editor (after what is written there) and keeps it as the
// agent's draft (drafts.js). Without JavaScript the card's link opens the page with the list,
// and the button posts and the page comes back with the reply in the editor.
;(function () {
  'use strict'
  var load = document.querySelector('[data-similar-load]')
  var body = document.getElementById('similar-body')
  function fetchList() {
    fetch(load.getAttribute('data-similar-load'), { credentials: 'same-origin', headers: { Accept: 'text/html' } })
      .then(function (res) {
        if (!res.ok) throw new Error(String(res.status))
        return res.text()
      })
      .then(function (html) {
        body.innerHTML = html
      })
      .catch(function () {
        // The link stays: it opens the page with the list.
      })
  }
  if (load && body && window.fetch) {
    if (window.IntersectionObserver) {
      var seen = new IntersectionObserver(function (entries) {
        if (
          !entries.some(function (e) {
            return e.isIntersecting
          })
        )
          return
        seen.disconnect()
        fetchList()
      })
      seen.observe(body)
    } else fetchList()
    load.addEventListener('click', function (e) {
      e.preventDefault()
      fetchList()
    })
  }
  var form = document.querySelector('form.reply-form')
  var surface = form && form.querySelector('.editor-surface')
  var quill = surface && window.Quill && window.Quill.find(surface)
  if (!quill || !quill.root) return

  var msg = window.SuiviMessages.msg

  document.addEventListener('click', function (e) {
    var button = e.target && e.target.closest ? e.target.closest('[data-similar-reuse]') : null
    if (!button) return
    e.preventDefault()
    var html = button.getAttribute('data-reply-html') || ''
    var empty = quill.getText().trim() === '' && !quill.root.querySelector('img, iframe')
    if (empty) quill.setContents([], 'silent')
    quill.clipboard.dangerouslyPasteHTML(empty ? 0 : quill.getLength(), html, 'user')
    document.dispatchEvent(new CustomEvent('suivi:save-draft'))
    quill.focus()
    quill.setSelection(quill.getLength(), 0)
    if (window.SuiviToast) window.SuiviToast.show({ kind: 'success', message: msg('client.similar.reused') })
  })
})()
