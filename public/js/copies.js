// Copies of a reply (Cc/Bcc): when the conversation has none, the two fields fold behind a
// "Cc/Bcc" button, and an internal comment (which is never e-mailed) hides them. Without
// JavaScript the fields are always shown, and a comment ignores them on the server.
;(function () {
  'use strict'

  document.querySelectorAll('form.reply-form').forEach(function (form) {
    var box = form.querySelector('[data-copies]')
    if (!box) return
    var toggle = box.querySelector('[data-copies-toggle]')
    var fields = box.querySelector('[data-copies-fields]')
    var inputs = fields.querySelectorAll('input')

    function empty() {
      return Array.prototype.every.call(inputs, function (input) {
        return input.value.trim() === ''
      })
    }
    function open(focus) {
      fields.hidden = false
      toggle.hidden = true
      toggle.setAttribute('aria-expanded', 'true')
      if (focus) inputs[0].focus()
    }
    function fold() {
      fields.hidden = true
      toggle.hidden = false
      toggle.setAttribute('aria-expanded', 'false')
    }
    function update() {
      var checked = form.querySelector('input[name="type"]:checked')
      box.hidden = !!checked && checked.value === 'comment'
    }

    if (empty()) fold()
    toggle.addEventListener('click', function () {
      open(true)
    })
    form.querySelectorAll('input[name="type"]').forEach(function (radio) {
      radio.addEventListener('change', update)
    })
    window.addEventListener('pageshow', update)
    update()
  })
})()
