// The rating page (views/portal/rating.ejs): opening a rating link records only a provisional
// rating, because mail scanners open links by themselves. A person's browser that shows the page
// confirms it at once with a POST; without a script the page's form does the same.
;(function () {
  'use strict'
  var form = document.querySelector('form[data-rating-confirm]')
  if (!form) return
  var sent = false

  function confirmRating() {
    if (sent) return
    sent = true
    var body = new URLSearchParams()
    body.set('_csrf', form.querySelector('input[name="_csrf"]').value)
    body.set('value', form.getAttribute('data-rating-confirm'))
    fetch(form.action, { method: 'POST', headers: { accept: 'application/json' }, body: body, credentials: 'same-origin' })
      .then(function (res) {
        if (!res.ok) return
        form.removeAttribute('data-rating-confirm')
        var pending = document.querySelector('[data-rating-pending]')
        var done = document.querySelector('[data-rating-done]')
        if (pending) pending.hidden = true
        if (done) done.hidden = false
      })
      .catch(function () {
        // The form is still there: the customer can send it.
      })
  }

  // Only a page someone can see: a tab opened in the background waits until it is looked at.
  if (document.visibilityState === 'visible') confirmRating()
  else
    document.addEventListener('visibilitychange', function () {
      if (document.visibilityState === 'visible') confirmRating()
    })
})()
