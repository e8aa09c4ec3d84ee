// The conversation sidebar in place: a choice (status, assignee, folder, tag, customer's language)
// is sent as soon as it is made, the sidebar is redrawn from the answer, focus stays on the control
// and a toast says what happened, with an Undo (toast.js). Without JavaScript the same forms post
// and the next page says it in a flash.
;(function () {
  'use strict'
  if (!window.fetch || !window.FormData || !window.URLSearchParams || !document.getElementById('conversation-sidebar')) return

  var msg = window.SuiviMessages.msg
  var csrfMeta = document.querySelector('meta[name="csrf-token"]')
  var csrf = csrfMeta ? csrfMeta.getAttribute('content') : ''

  function sidebar() {
    return document.getElementById('conversation-sidebar')
  }
  function toast(options) {
    if (window.SuiviToast) window.SuiviToast.show(options)
  }

  /** What the script changes in a freshly drawn sidebar. */
  function enhance() {
    var aside = sidebar()
    // Choices are sent when made: their buttons are not needed.
    Array.prototype.forEach.call(aside.querySelectorAll('[data-sidebar-submit]'), function (button) {
      button.hidden = true
    })
    // A tag is added by choosing it, so the list starts on a choice that adds nothing.
    var choose = aside.querySelector('select[data-choose]')
    if (choose) {
      var none = document.createElement('option')
      none.value = ''
      none.textContent = msg('client.sidebar.chooseTag')
      none.defaultSelected = true
      choose.insertBefore(none, choose.firstChild)
      choose.value = ''
    }
  }

  /** Where focus goes back after the sidebar is redrawn: the same control, else one of its card. */
  function focusTarget(control) {
    var section = control && control.closest ? control.closest('section') : null
    var heading = section ? section.querySelector('h2') : null
    return { id: control && control.id, headingId: heading && heading.id }
  }
  function restoreFocus(target) {
    var same = target.id && document.getElementById(target.id)
    if (same) return same.focus()
    var heading = target.headingId && document.getElementById(target.headingId)
    if (!heading) return
    var section = heading.closest('section')
    var next = section && section.querySelector('select, button:not([hidden])')
    if (!next) heading.setAttribute('tabindex', '-1')
    ;(next || heading).focus()
  }

  /** Puts an answer in place: the sidebar, the status and folder in the header, and the toast. */
  function apply(answer, target) {
    if (answer.location) {
      window.location.assign(answer.location)
      return
    }
    var holder = document.createElement('div')
    holder.innerHTML = answer.sidebar
    var fresh = holder.querySelector('#conversation-sidebar')
    if (fresh) {
      sidebar().replaceWith(fresh)
      enhance()
    }
    var status = document.getElementById('conversation-status')
    if (status && answer.statusBadge) status.innerHTML = answer.statusBadge
    var folder = document.getElementById('conversation-folder')
    if (folder && answer.folder) folder.textContent = answer.folder
    restoreFocus(target)
    toast({
      kind: answer.kind,
      message: answer.message,
      undo: answer.undo,
      onUndo: function (undone) {
        apply(undone, target)
      },
    })
    document.dispatchEvent(new CustomEvent('suivi:sidebar', { detail: answer }))
  }

  /** Puts a select back on its value as drawn (a refused change changed nothing). */
  function revert(form) {
    var select = form.querySelector('select')
    if (!select) return
    Array.prototype.forEach.call(select.options, function (option) {
      option.selected = option.defaultSelected
    })
  }

  // One change at a time, in the order they were made.
  var queue = Promise.resolve()
  function send(form) {
    var body = new URLSearchParams(new FormData(form))
    var target = focusTarget(document.activeElement && form.contains(document.activeElement) ? document.activeElement : form.querySelector('select, button'))
    queue = queue.then(function () {
      sidebar().setAttribute('aria-busy', 'true')
      return fetch(form.action, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { Accept: 'application/json', 'X-CSRF-Token': csrf },
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
            revert(form)
            toast({ kind: 'error', message: result.answer.error || msg('client.toast.failed') })
            return
          }
          apply(result.answer, target)
        })
        .catch(function () {
          revert(form)
          toast({ kind: 'error', message: msg('client.toast.failed') })
        })
        .then(function () {
          var aside = sidebar()
          if (aside) aside.removeAttribute('aria-busy')
        })
    })
  }

  function sidebarForm(el) {
    var form = el && el.closest ? el.closest('form[data-sidebar-form]') : null
    return form && sidebar().contains(form) ? form : null
  }

  // Arrow keys on a closed select change it (and fire "change") at every step: a choice made so
  // waits until the keys rest, Enter is pressed or focus leaves, rather than sending each step.
  var STEP_KEYS = /^(ArrowUp|ArrowDown|ArrowLeft|ArrowRight|Home|End|PageUp|PageDown)$/
  var steppedAt = 0
  var waiting = null
  function sendWaiting() {
    if (!waiting) return
    clearTimeout(waiting.timer)
    var form = waiting.form
    waiting = null
    send(form)
  }
  document.addEventListener('keydown', function (e) {
    if (e.target.tagName !== 'SELECT' || !sidebarForm(e.target)) return
    if (STEP_KEYS.test(e.key) || e.key.length === 1) steppedAt = Date.now()
    if (/^Enter$/.test(e.key) && waiting) {
      e.preventDefault()
      sendWaiting()
    }
  })
  document.addEventListener('change', function (e) {
    var select = e.target
    var form = select.tagName === 'SELECT' ? sidebarForm(select) : null
    if (!form || (select.value === '' && select.hasAttribute('data-choose'))) return
    if (Date.now() - steppedAt < 200) {
      if (waiting) clearTimeout(waiting.timer)
      waiting = { form: form, timer: setTimeout(sendWaiting, 1200) }
      return
    }
    send(form)
  })
  document.addEventListener('focusout', function (e) {
    if (waiting && e.target.tagName === 'SELECT' && waiting.form.contains(e.target)) sendWaiting()
  })
  // Buttons (assign to me, remove a tag) and Enter in a form: sent in place too.
  document.addEventListener('submit', function (e) {
    var form = sidebarForm(e.target)
    if (!form) return
    e.preventDefault()
    var select = form.querySelector('select[data-choose]')
    if (select && select.value === '') return
    send(form)
  })

  enhance()
})()
