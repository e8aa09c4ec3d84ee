// Toasts: a short message at the bottom of the screen after something changed in place, with an
// "Undo" for a few seconds where the change can be taken back.
//
//   window.SuiviToast.show({
//     message: 'Status set to Closed.',
//     kind: 'success' | 'info' | 'error',          // an error is announced at once (role=alert)
//     undo: { action: '/conversations/12/status', fields: { status: 'open', undoing: '1' } } | null,
//     timeout: 8000,                                // ms; paused while the toast is hovered or focused
//     onUndo: function (answer) {},                 // the undo's JSON answer; without it the page reloads
//   })
//
// The Undo button posts `fields` to `action` with fetch (X-CSRF-Token, Accept: application/json).
// Escape dismisses the toast. Without JavaScript the same undo is a form inside the flash message.
;(function () {
  'use strict'
  if (!window.fetch) return

  var msg = window.SuiviMessages.msg
  var csrfMeta = document.querySelector('meta[name="csrf-token"]')
  var csrf = csrfMeta ? csrfMeta.getAttribute('content') : ''

  // The live regions exist from the start and stay in the page: screen readers announce changes
  // to a region they already know, not a region inserted with its text.
  var box = document.createElement('div')
  box.className = 'toast'
  box.id = 'toast'
  var text = document.createElement('div')
  text.className = 'toast-text'
  var status = document.createElement('p')
  status.setAttribute('role', 'status')
  var alert = document.createElement('p')
  alert.setAttribute('role', 'alert')
  text.appendChild(status)
  text.appendChild(alert)
  var actions = document.createElement('div')
  actions.className = 'toast-actions'
  actions.hidden = true
  var undoButton = document.createElement('button')
  undoButton.type = 'button'
  undoButton.className = 'button button-secondary toast-undo'
  undoButton.textContent = msg('client.toast.undo')
  var closeButton = document.createElement('button')
  closeButton.type = 'button'
  closeButton.className = 'button-icon toast-close'
  closeButton.setAttribute('aria-label', msg('client.toast.dismiss'))
  closeButton.textContent = '\u00d7'
  actions.appendChild(undoButton)
  actions.appendChild(closeButton)
  box.appendChild(text)
  box.appendChild(actions)
  document.body.appendChild(box)

  var current = null // { undo, onUndo, timeout }
  var timer = null
  var held = false // hovered or focused: the toast waits

  function stopTimer() {
    if (timer) clearTimeout(timer)
    timer = null
  }
  function startTimer() {
    stopTimer()
    if (current && !held) timer = setTimeout(hide, current.timeout)
  }

  function hide() {
    stopTimer()
    var hadFocus = box.contains(document.activeElement)
    var back = current && current.returnFocus
    current = null
    box.classList.remove('is-shown')
    status.textContent = ''
    alert.textContent = ''
    actions.hidden = true
    // Focus never stays on a button that is gone.
    if (hadFocus && back && document.body.contains(back)) back.focus()
  }

  function show(options) {
    stopTimer()
    var isError = options.kind === 'error'
    current = {
      undo: options.undo || null,
      onUndo: options.onUndo || null,
      timeout: options.timeout || (isError ? 12000 : 8000),
      returnFocus: document.activeElement && document.activeElement !== document.body && !box.contains(document.activeElement) ? document.activeElement : null,
    }
    box.className = 'toast is-shown toast-' + (isError ? 'error' : options.kind === 'info' ? 'info' : 'success')
    status.textContent = isError ? '' : options.message
    alert.textContent = isError ? options.message : ''
    undoButton.hidden = !current.undo
    undoButton.disabled = false
    actions.hidden = false
    held = box.matches(':hover') || box.contains(document.activeElement)
    startTimer()
  }

  function undo() {
    if (!current || !current.undo) return
    var taken = current
    undoButton.disabled = true
    var body = new URLSearchParams()
    Object.keys(taken.undo.fields).forEach(function (name) {
      body.append(name, taken.undo.fields[name])
    })
    fetch(taken.undo.action, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded', 'X-CSRF-Token': csrf },
      body: body,
    })
      .then(function (r) {
        return r.json().then(
          function (answer) {
            return { ok: r.ok, answer: answer }
          },
          function () {
            return { ok: false, answer: {} }
          },
        )
      })
      .then(function (result) {
        if (!result.ok) {
          show({ kind: 'error', message: result.answer.error || msg('client.toast.failed') })
          return
        }
        if (taken.onUndo) taken.onUndo(result.answer)
        else window.location.reload()
      })
      .catch(function () {
        show({ kind: 'error', message: msg('client.toast.failed') })
      })
  }

  undoButton.addEventListener('click', undo)
  closeButton.addEventListener('click', hide)
  box.addEventListener('mouseenter', function () {
    held = true
    stopTimer()
  })
  box.addEventListener('mouseleave', function () {
    held = box.contains(document.activeElement)
    startTimer()
  })
  box.addEventListener('focusin', function () {
    held = true
    stopTimer()
  })
  box.addEventListener('focusout', function (e) {
    if (box.contains(e.relatedTarget)) return
    held = box.matches(':hover')
    startTimer()
  })
  document.addEventListener('keydown', function (e) {
    if (/^Esc(ape)?$/.test(e.key) && current) hide()
  })

  window.SuiviToast = { show: show, hide: hide }
})()
