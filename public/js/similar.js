// Similar solved conversations: "Use this reply" puts the reply that solved one in the editor
// (after what is written there) and keeps it as the agent's draft (drafts.js). Without
// JavaScript the button posts and the page comes back with it in the editor.
;(function () {
  'use strict'
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
