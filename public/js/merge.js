'use strict'
// Merge: the sidebar form asks for confirmation in an accessible dialog instead of the
// "I understand" box (which stays, and is what the server checks, when there is no script).
;(function () {
  const form = document.getElementById('merge-form')
  const dialog = document.getElementById('merge-dialog')
  if (!form || !dialog || typeof dialog.showModal !== 'function') return
  const understand = document.getElementById('merge-understand')
  const box = form.querySelector('[data-merge-understand]')
  const select = document.getElementById('merge-into')
  const number = document.getElementById('merge-number')
  const target = document.getElementById('merge-dialog-target')
  understand.required = false
  box.hidden = true
  let confirmed = false

  /** The conversation chosen, as the form shows it ("#12 Broken lamp"), or '' when none is. */
  function chosen() {
    const typed = number.value.trim()
    if (typed) return typed.charAt(0) === '#' ? typed : '#' + typed
    if (select && select.value) return select.options[select.selectedIndex].textContent.trim()
    return ''
  }

  form.addEventListener('submit', function (event) {
    if (confirmed) return
    const what = chosen()
    // Nothing chosen: the server says so, as without a script.
    if (!what) return
    event.preventDefault()
    target.textContent = what
    dialog.returnValue = ''
    dialog.showModal()
  })

  dialog.addEventListener('close', function () {
    if (dialog.returnValue !== 'merge') {
      form.querySelector('button[type="submit"]').focus()
      return
    }
    confirmed = true
    understand.checked = true
    form.submit()
  })
})()
