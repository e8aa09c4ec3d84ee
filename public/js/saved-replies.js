// Saved replies in the reply editor. The "Saved replies" button opens a searchable list (a
// combobox and its listbox); typing / at the start of a line or after a space opens the same list,
// filtered by what follows the slash, while the cursor stays in the editor. Choosing one asks the
// server for its text with the variables filled in for this conversation (which counts the use)
// and puts it where the cursor was, in place of the /word typed. Without this script the page
// offers a plain list and an "Insert" button.
;(function () {
  'use strict'

  var tools = document.querySelector('[data-saved-replies]')
  var surface = document.querySelector('.reply-form .editor-surface')
  if (!tools || !surface || !window.Quill || Number(tools.getAttribute('data-count')) === 0) return
  var quill = window.Quill.find(surface)
  if (!quill || typeof quill.getSelection !== 'function') return

  var msg = window.SuiviMessages.msg
  var csrfMeta = document.querySelector('meta[name="csrf-token"]')
  var csrf = csrfMeta ? csrfMeta.getAttribute('content') : ''
  var source = tools.getAttribute('data-source')
  var insertUrl = tools.getAttribute('data-insert')

  // The picker takes the place of the plain list, whose choice must not travel with every reply.
  var fallback = tools.querySelector('.saved-replies-fallback')
  var openButton = tools.querySelector('.saved-replies-open')
  if (fallback) {
    fallback.hidden = true
    fallback.querySelector('select').disabled = true
  }
  openButton.hidden = false

  var popup = document.createElement('div')
  popup.className = 'saved-replies-popup'
  popup.id = 'saved-replies-popup'
  popup.hidden = true
  var search = document.createElement('input')
  search.type = 'text'
  search.className = 'saved-replies-search'
  search.setAttribute('role', 'combobox')
  search.setAttribute('aria-autocomplete', 'list')
  search.setAttribute('aria-expanded', 'false')
  search.setAttribute('aria-controls', 'saved-replies-listbox')
  search.setAttribute('aria-label', msg('client.savedReplies.search'))
  search.setAttribute('placeholder', msg('client.savedReplies.search'))
  search.autocomplete = 'off'
  var list = document.createElement('ul')
  list.id = 'saved-replies-listbox'
  list.className = 'saved-replies-options'
  list.setAttribute('role', 'listbox')
  list.setAttribute('aria-label', openButton.textContent.trim())
  var status = document.createElement('p')
  status.className = 'saved-replies-status small muted'
  status.setAttribute('role', 'status')
  popup.appendChild(search)
  popup.appendChild(list)
  popup.appendChild(status)
  tools.appendChild(popup)
  var failure = document.createElement('p')
  failure.className = 'field-error saved-replies-failure'
  failure.setAttribute('role', 'alert')
  failure.hidden = true
  tools.appendChild(failure)
  openButton.setAttribute('aria-controls', popup.id)

  var replies = null
  var loading = null
  /** 'button' (the search field has the focus) or 'slash' (the editor keeps it); null when closed. */
  var mode = null
  /** Where the /word typed in the editor is: { index, length, query }. */
  var slash = null
  /** A /word whose list was closed with Escape is left alone until another slash is typed. */
  var dismissedAt = -1
  var lastRange = null
  var insertAt = 0
  var shown = []
  var active = -1

  function load() {
    if (!loading) {
      loading = fetch(source, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
        .then(function (res) {
          if (!res.ok) throw new Error(String(res.status))
          return res.json()
        })
        .then(function (data) {
          replies = data.savedReplies
        })
      loading.catch(function () {
        loading = null
      })
    }
    return loading
  }

  /** Lower case without accents: "reponse" finds "Réponse". */
  function fold(text) {
    return text
      .toLowerCase()
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
  }

  function render(query) {
    var q = fold(query.trim())
    var byName = []
    var byText = []
    ;(replies || []).forEach(function (r) {
      if (fold(r.name).indexOf(q) !== -1) byName.push(r)
      else if (fold(r.preview).indexOf(q) !== -1) byText.push(r)
    })
    shown = byName.concat(byText)
    list.textContent = ''
    shown.forEach(function (r, i) {
      var option = document.createElement('li')
      option.id = 'saved-reply-option-' + r.id
      option.className = 'saved-replies-option'
      option.setAttribute('role', 'option')
      option.setAttribute('aria-selected', 'false')
      var name = document.createElement('span')
      name.className = 'saved-replies-option-name'
      name.textContent = r.name
      var preview = document.createElement('span')
      preview.className = 'saved-replies-option-preview small muted'
      preview.textContent = r.preview
      option.appendChild(name)
      option.appendChild(preview)
      // The focus stays where it is (the search field or the editor) while an option is clicked.
      option.addEventListener('mousedown', function (e) {
        e.preventDefault()
      })
      option.addEventListener('click', function () {
        choose(i)
      })
      list.appendChild(option)
    })
    list.hidden = shown.length === 0
    status.textContent = shown.length ? msg('client.savedReplies.count', { count: shown.length }) : msg('client.savedReplies.noMatch')
    setActive(shown.length ? 0 : -1)
  }

  /** The element whose aria-activedescendant names the highlighted option: the one with the focus. */
  function owner() {
    return mode === 'slash' ? quill.root : search
  }

  function setActive(i) {
    active = i
    Array.prototype.forEach.call(list.children, function (option, j) {
      option.setAttribute('aria-selected', j === i ? 'true' : 'false')
      option.classList.toggle('is-active', j === i)
    })
    var current = list.children[i]
    if (current) current.scrollIntoView({ block: 'nearest' })
    markOwner()
    // The editor is shared with other helpers (@mentions) that tidy its attributes on the same
    // keystroke: once they are done, the highlighted saved reply is named again.
    if (mode === 'slash') Promise.resolve().then(markOwner)
  }

  function markOwner() {
    if (!mode) return
    var current = list.children[active]
    if (mode === 'slash') owner().setAttribute('aria-controls', list.id)
    if (current) owner().setAttribute('aria-activedescendant', current.id)
    else owner().removeAttribute('aria-activedescendant')
  }

  function move(step) {
    if (!shown.length) return
    setActive((active + step + shown.length) % shown.length)
  }

  function open(newMode) {
    mode = newMode
    popup.hidden = false
    popup.classList.toggle('is-slash', mode === 'slash')
    search.hidden = mode === 'slash'
    openButton.setAttribute('aria-expanded', 'true')
    search.setAttribute('aria-expanded', 'true')
    if (mode === 'button') {
      search.value = ''
      search.focus()
    }
    failure.hidden = true
    load().then(
      function () {
        if (mode) render(mode === 'slash' && slash ? slash.query : search.value)
      },
      function () {
        close()
        showFailure()
      },
    )
  }

  function close() {
    popup.hidden = true
    mode = null
    // The next opening starts from a fresh list, never from this one's options.
    list.textContent = ''
    shown = []
    active = -1
    openButton.setAttribute('aria-expanded', 'false')
    search.setAttribute('aria-expanded', 'false')
    search.removeAttribute('aria-activedescendant')
    // Only what this list set: the editor's attributes may name another helper's list by now.
    if (quill.root.getAttribute('aria-controls') === list.id) {
      quill.root.removeAttribute('aria-activedescendant')
      quill.root.removeAttribute('aria-controls')
    }
  }

  function showFailure() {
    failure.textContent = msg('client.savedReplies.failed')
    failure.hidden = false
  }

  function choose(i) {
    var reply = shown[i]
    if (!reply) return
    var at = mode === 'slash' && slash ? slash.index : insertAt
    if (mode === 'slash' && slash) quill.deleteText(slash.index, slash.length, 'user')
    slash = null
    close()
    quill.focus()
    quill.setSelection(at, 0, 'silent')
    fetch(insertUrl, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { Accept: 'application/json', 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify({ savedReplyId: reply.id }),
    })
      .then(function (res) {
        if (!res.ok) throw new Error(String(res.status))
        return res.json()
      })
      .then(function (data) {
        var before = quill.getLength()
        quill.clipboard.dangerouslyPasteHTML(at, data.html, 'user')
        quill.focus()
        quill.setSelection(at + quill.getLength() - before, 0, 'user')
      })
      .catch(showFailure)
  }

  /** The /word just before the cursor, if the slash starts the text, a line or follows a space. */
  function slashBefore(index) {
    var start = Math.max(0, index - 60)
    var text = quill.getText(start, index - start)
    var m = /(^|\s)\/([^\s/]*)$/.exec(text)
    if (!m || (m[1] === '' && start > 0)) return null
    var at = start + m.index + m[1].length
    return { index: at, length: index - at, query: m[2] }
  }

  quill.on('selection-change', function (range) {
    if (range) lastRange = range
    if (mode === 'slash' && (!range || !slashBefore(range.index))) close()
  })
  quill.on('text-change', function (_delta, _old, origin) {
    if (origin !== 'user') return
    var range = quill.getSelection()
    var found = range && range.length === 0 ? slashBefore(range.index) : null
    if (found && found.index !== dismissedAt) {
      dismissedAt = -1
      slash = found
      if (mode === 'slash') render(found.query)
      else if (!mode) open('slash')
    } else if (mode === 'slash') close()
  })

  // Before Quill's own keyboard handling (capture on its container): while the list is open,
  // arrows move in it, Enter and Tab insert, Escape closes it and leaves the /word as typed.
  surface.addEventListener(
    'keydown',
    function (e) {
      if (mode !== 'slash') return
      var key = e.key.toLowerCase()
      if (key === 'arrowdown') move(1)
      else if (key === 'arrowup') move(-1)
      else if ((key === 'enter' || key === 'tab') && active >= 0) choose(active)
      else if (key === 'escape') {
        dismissedAt = slash ? slash.index : -1
        close()
      } else return
      e.preventDefault()
      e.stopPropagation()
    },
    true,
  )

  search.addEventListener('input', function () {
    if (replies) render(search.value)
  })
  search.addEventListener('keydown', function (e) {
    var key = e.key.toLowerCase()
    if (key === 'arrowdown') move(1)
    else if (key === 'arrowup') move(-1)
    else if (key === 'enter') {
      // Never the reply form's submission.
      if (active >= 0) choose(active)
    } else if (key === 'escape') {
      close()
      openButton.focus()
    } else return
    e.preventDefault()
  })

  openButton.addEventListener('click', function () {
    if (mode) {
      close()
      return
    }
    var range = quill.getSelection() || lastRange
    insertAt = range ? range.index : Math.max(0, quill.getLength() - 1)
    open('button')
  })

  document.addEventListener('mousedown', function (e) {
    if (mode === 'button' && !popup.contains(e.target) && e.target !== openButton) close()
  })
})()
