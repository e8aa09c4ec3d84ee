// A personal API token just made: its Copy button copies the secret to the clipboard. Without a
// script (or a clipboard) the button stays hidden and the read-only field is selected by hand.
;(function () {
  'use strict'
  var field = document.getElementById('api-token-secret')
  var button = document.getElementById('api-token-copy')
  if (!field || !button || !navigator.clipboard) return
  var label = button.textContent
  button.hidden = false
  // Selecting the whole token at a click saves dragging over 50 characters.
  field.addEventListener('focus', function () {
    field.select()
  })
  button.addEventListener('click', function () {
    navigator.clipboard.writeText(field.value).then(
      function () {
        button.textContent = button.getAttribute('data-copied')
        setTimeout(function () {
          button.textContent = label
        }, 3000)
      },
      function () {
        field.focus()
      },
    )
  })
})()
