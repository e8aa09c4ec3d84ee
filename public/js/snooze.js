'use strict'
// The Snooze menu: typing a date and time chooses "At a date and time" (without this script the
// agent ticks it themselves), and choosing it moves the focus to the field.
;(function () {
  const form = document.getElementById('snooze-form')
  if (!form) return
  const custom = document.getElementById('snooze-custom')
  const at = document.getElementById('snooze-at')
  if (!custom || !at) return
  at.addEventListener('input', function () {
    if (at.value) custom.checked = true
  })
  custom.addEventListener('change', function () {
    if (custom.checked) at.focus()
  })
})()
