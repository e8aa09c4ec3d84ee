// After sending a reply: the reply form's after-send choice (hidden for an internal comment, which
// always stays on the conversation), and the countdown of "Undo" in the "Reply sent" message until
// the e-mail leaves. Without JavaScript both work as they are: a select, and an Undo button that
// the server refuses once it is too late.
;(function () {
  'use strict'

  var msg = window.SuiviMessages.msg

  document.querySelectorAll('form.reply-form').forEach(function (form) {
    var choice = form.querySelector('.after-send')
    if (!choice) return
    function update() {
      var checked = form.querySelector('input[name="type"]:checked')
      choice.hidden = !!checked && checked.value === 'comment'
    }
    form.querySelectorAll('input[name="type"]').forEach(function (radio) {
      radio.addEventListener('change', update)
    })
    // Browsers restore radio buttons on back/forward navigation without firing "change".
    window.addEventListener('pageshow', update)
    update()
  })

  var undo = document.querySelector('form.flash-undo[action$="/withdraw"]')
  var untilField = undo && undo.querySelector('input[name="until"]')
  if (!untilField) return
  var until = Number(untilField.value)
  var flash = undo.closest('.flash') || undo.parentNode
  var countdown = document.createElement('span')
  countdown.className = 'undo-countdown'
  // Seen, not announced every second (the message itself is announced once, as a status).
  countdown.setAttribute('aria-hidden', 'true')
  undo.appendChild(countdown)
  var timer = null

  function tick() {
    var left = Math.ceil((until - Date.now()) / 1000)
    if (left > 0) {
      countdown.textContent = msg('client.reply.sendingIn', { seconds: left })
      return
    }
    // The e-mail is leaving: Undo can no longer work. Focus must not fall to the page's start.
    clearInterval(timer)
    var hadFocus = undo.contains(document.activeElement)
    undo.remove()
    if (hadFocus) {
      flash.setAttribute('tabindex', '-1')
      flash.focus()
    }
  }

  // Once posted, the server decides; the form must not vanish under the click.
  undo.addEventListener('submit', function () {
    clearInterval(timer)
  })
  tick()
  timer = setInterval(tick, 250)
})()
