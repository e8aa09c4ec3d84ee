// Naming a colleague in an internal comment: typing "@" in the editor, with "Internal comment"
// chosen, offers the agents who may read the conversation (a listbox under the cursor: arrows,
// Enter or Tab to choose, Escape to close). The chosen name is written as "@Name"; the server
// finds the names in the comment and notifies those agents. Without JavaScript "@name" typed by
// hand works the same.
;(function () {
  'use strict'
  var msg = window.SuiviMessages.msg
  var header = document.querySelector('[data-conversation-number]')
  var form = document.querySelector('form.reply-form')
  var surface = form && form.querySelector('.editor-surface')
  var quill = surface && window.Quill && window.Quill.find(surface)
  if (!header || !quill || !quill.root || !window.fetch) return
  var number = header.getAttribute('data-conversation-number')

  var fold = function (s) {
    return String(s)
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
  }
  var agents = null
  function loadAgents() {
    if (agents) return agents
    agents = fetch('/conversations/' + number + '/mentionable', { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) {
        return r.ok ? r.json() : { agents: [] }
      })
      .then(function (data) {
        return data.agents || []
      })
      .catch(function () {
        agents = null // asked again at the next "@"
        return []
      })
    return agents
  }
  function commenting() {
    var checked = form.querySelector('input[name="type"]:checked')
    return !!checked && checked.value === 'comment'
  }

  var list = document.createElement('ul')
  list.id = 'mention-list'
  list.className = 'mention-list'
  list.setAttribute('role', 'listbox')
  list.setAttribute('aria-label', msg('client.mentions.label'))
  list.hidden = true
  surface.appendChild(list)
  var hint = document.createElement('span')
  hint.id = 'mention-hint'
  hint.className = 'visually-hidden'
  hint.textContent = msg('client.mentions.hint')
  surface.appendChild(hint)

  var state = null // { start, query, matches, active }
  var typed = 0 // only the answer to the latest keystroke may open the list
  // The editor's own description (the internal-comment hint) and another picker's attributes are
  // not ours: only what this list set is taken away, and the description it replaced comes back.
  var describedBefore = null
  function clearOwn(name, ours) {
    if (quill.root.getAttribute(name) === ours) quill.root.removeAttribute(name)
  }
  function closeList() {
    var wasOpen = !list.hidden
    state = null
    list.hidden = true
    list.textContent = ''
    if (!wasOpen) return
    var active = quill.root.getAttribute('aria-activedescendant')
    if (active && active.indexOf('mention-option-') === 0) quill.root.removeAttribute('aria-activedescendant')
    clearOwn('aria-controls', list.id)
    if (quill.root.getAttribute('aria-describedby') === hint.id) {
      if (describedBefore) quill.root.setAttribute('aria-describedby', describedBefore)
      else quill.root.removeAttribute('aria-describedby')
    }
    describedBefore = null
  }
  function render() {
    list.textContent = ''
    state.matches.forEach(function (a, i) {
      var li = document.createElement('li')
      li.id = 'mention-option-' + a.id
      li.setAttribute('role', 'option')
      li.setAttribute('aria-selected', i === state.active ? 'true' : 'false')
      li.className = 'mention-option' + (i === state.active ? ' is-active' : '')
      li.textContent = a.name
      var handle = document.createElement('span')
      handle.className = 'muted small'
      handle.textContent = ' @' + a.handle
      li.appendChild(handle)
      li.addEventListener('mousedown', function (e) {
        e.preventDefault() // keep the editor's focus and selection
        choose(i)
      })
      list.appendChild(li)
    })
    var bounds = quill.getBounds(state.start)
    list.style.top = bounds.top + bounds.height + 4 + 'px'
    list.style.left = Math.max(0, Math.min(bounds.left, surface.clientWidth - 240)) + 'px'
    list.hidden = false
    quill.root.setAttribute('aria-controls', list.id)
    var described = quill.root.getAttribute('aria-describedby')
    if (described !== hint.id) describedBefore = described
    quill.root.setAttribute('aria-describedby', hint.id)
    quill.root.setAttribute('aria-activedescendant', 'mention-option-' + state.matches[state.active].id)
  }
  function choose(i) {
    var a = state && state.matches[i]
    if (!a) return
    var start = state.start
    var length = state.query.length + 1
    closeList()
    quill.deleteText(start, length, 'user')
    quill.insertText(start, '@' + a.name + ' ', 'user')
    quill.setSelection(start + a.name.length + 2, 0, 'user')
  }

  function update() {
    var mine = ++typed
    if (!commenting()) return closeList()
    var range = quill.getSelection()
    if (!range || range.length) return closeList()
    var before = quill.getText(Math.max(0, range.index - 40), Math.min(range.index, 40))
    var m = /(^|[\s(])@([^\s@]{0,30})$/.exec(before)
    if (!m) return closeList()
    var query = m[2]
    var start = range.index - query.length - 1
    loadAgents().then(function (all) {
      if (mine !== typed) return
      var q = fold(query)
      var matches = all
        .filter(function (a) {
          return !q || fold(a.name).indexOf(q) !== -1 || fold(a.handle).indexOf(q) === 0
        })
        .slice(0, 8)
      if (!matches.length) return closeList()
      state = { start: start, query: query, matches: matches, active: 0 }
      render()
    })
  }
  quill.on('text-change', function (delta, old, source) {
    if (source === 'user') update()
  })
  quill.on('selection-change', function (range) {
    if (!range) closeList()
  })
  // Before Quill's own keys (Enter would start a new line).
  quill.root.addEventListener(
    'keydown',
    function (e) {
      if (!state) return
      var key = e.key.toLowerCase()
      if (key === 'arrowdown' || key === 'arrowup') {
        e.preventDefault()
        e.stopPropagation()
        var n = state.matches.length
        state.active = (state.active + (key === 'arrowdown' ? 1 : n - 1)) % n
        render()
      } else if (key === 'enter' || key === 'tab') {
        e.preventDefault()
        e.stopPropagation()
        choose(state.active)
      } else if (key === 'escape') {
        e.preventDefault()
        e.stopPropagation()
        closeList()
      }
    },
    true,
  )
  form.querySelectorAll('input[name="type"]').forEach(function (radio) {
    radio.addEventListener('change', closeList)
  })
})()
