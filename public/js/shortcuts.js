// Keyboard shortcuts for the list and the conversation, and the dialog that lists them ("?").
// The key map is read from that dialog (views/partials/shortcuts.ejs), so the keys it shows are
// the keys that work. A shortcut whose element is not on the page does nothing. No shortcut fires
// while the agent types in a field, with one exception: Ctrl/⌘ + Enter in the reply form sends.
;(function () {
  'use strict'

  var dialog = document.getElementById('shortcuts-dialog')
  if (!dialog || typeof dialog.showModal !== 'function') return
  var announcer = document.getElementById('shortcuts-announcer')

  var numbers = new Intl.NumberFormat(document.documentElement.lang || undefined)
  var msg = window.SuiviMessages.msg

  var ROW = 'li.conversation-row[data-conversation-id]'
  var CURRENT = 'keyboard-current'
  // Moving through the list may follow a held key, as arrow keys do; nothing else repeats.
  var REPEATABLE = { 'list.next': true, 'list.previous': true }
  // Inputs that take no text: a letter typed on them means nothing to them.
  var NOT_TEXT = { checkbox: true, button: true, submit: true, reset: true }
  var SEQUENCE_TIMEOUT = 1500
  // Where the cursor was, for the list met again in this tab (only once shortcuts were used here).
  var STORE_USED = 'suivi.shortcuts.used'
  var STORE_ROW = 'suivi.shortcuts.row'

  // "j" → ["conversation.next", "list.next"]; "g,n" → ["go.new"]; "ctrl+Enter" → ["conversation.send"].
  var keymap = {}
  var sequenceStarts = {}
  Array.prototype.forEach.call(dialog.querySelectorAll('[data-action][data-keys]'), function (shortcut) {
    var action = shortcut.getAttribute('data-action')
    shortcut
      .getAttribute('data-keys')
      .split(' ')
      .forEach(function (keys) {
        if (!keys) return
        ;(keymap[keys] = keymap[keys] || []).push(action)
        if (keys.indexOf(',') > 0) sequenceStarts[keys.split(',')[0]] = true
      })
  })
  // A key that the list and the conversation both use (j, k) means the conversation's action on a
  // page that shows one; the list's action runs when the conversation's has nothing to act on.
  Object.keys(keymap).forEach(function (keys) {
    var conversationFirst = function (action) {
      return action.indexOf('conversation.') === 0 ? 0 : 1
    }
    keymap[keys].sort(function (a, b) {
      return conversationFirst(a) - conversationFirst(b)
    })
  })

  function store(key, value) {
    try {
      window.sessionStorage.setItem(key, value)
    } catch (_refused) {
      // Storage refused (private mode, quota): the cursor is simply not remembered.
    }
  }
  function stored(key) {
    try {
      return window.sessionStorage.getItem(key)
    } catch (_refused) {
      return null
    }
  }

  var announceTimer = null
  /** Says what a shortcut did; emptied first so that the same words are read again. */
  function announce(text) {
    if (!announcer) return
    announcer.textContent = ''
    clearTimeout(announceTimer)
    announceTimer = setTimeout(function () {
      announcer.textContent = text
    }, 50)
  }

  /**
   * The key as the key map names it: "j", "?", "Enter", "ctrl+Enter". Shift, and Alt or AltGr on a
   * symbol, are how keyboards type a character (? / [ ] on many layouts), not a chord; a letter with
   * Ctrl, Alt or ⌘ is a chord, which no single-key shortcut answers.
   */
  function keyName(event) {
    var key = event.key
    if (!key) return null
    var chord = ''
    if (key.length === 1) {
      var altGraph = event.ctrlKey && event.altKey // how Windows reports AltGr
      if (event.metaKey) chord = 'meta+'
      else if (event.ctrlKey && !altGraph) chord = 'ctrl+'
      else if (event.altKey && !altGraph && /[a-z]/i.test(key)) chord = 'alt+'
      // Caps Lock must not turn j into J.
      return chord + (event.shiftKey ? key : key.toLowerCase())
    }
    if (event.ctrlKey) chord += 'ctrl+'
    if (event.metaKey) chord += 'meta+'
    if (event.altKey) chord += 'alt+'
    if (event.shiftKey) chord += 'shift+'
    return chord + key
  }

  function isTyping(element) {
    if (!element || element.nodeType !== 1) return false
    if (element.isContentEditable) return true
    var tag = element.tagName
    if (tag === 'TEXTAREA' || tag === 'SELECT') return true
    return tag === 'INPUT' && !NOT_TEXT[element.type]
  }

  /** Nothing in particular has the focus: the page itself. */
  function atRest(element) {
    return !element || element === document.body || element === document.documentElement || element.id === 'main'
  }

  /** A dialog of the page (a native one, or a shown one that says it is modal) has the agent's attention. */
  function anotherDialogOpen() {
    var open = document.querySelectorAll('dialog[open],[aria-modal=true]:not(dialog)')
    for (var i = 0; i < open.length; i++) {
      if (open[i] !== dialog && (open[i].tagName === 'DIALOG' || open[i].getClientRects().length)) return true
    }
    return false
  }

  // ---- The list -----------------------------------------------------------------------------
  var currentId = null

  // The list beside a conversation (split view) is for the eye and the mouse: there the arrow
  // keys keep scrolling the thread, and j and k already walk the same list.
  var conversationPage = !!document.querySelector('.conversation-header[data-conversation-id]')

  function rows() {
    return conversationPage ? [] : Array.prototype.slice.call(document.querySelectorAll(ROW))
  }
  function rowOf(element) {
    return element && element.closest ? element.closest(ROW) : null
  }
  function currentRow() {
    if (currentId === null) return null
    return document.querySelector('li.conversation-row[data-conversation-id="' + currentId + '"]')
  }
  function subjectOf(row) {
    var subject = row.querySelector('.row-subject') || row.querySelector('a.row-link') || row
    return subject.textContent.replace(/\s+/g, ' ').trim()
  }

  /** Marks the row the list shortcuts act on (a visible outline, not the focus). */
  function setCurrent(row) {
    Array.prototype.forEach.call(document.querySelectorAll('.' + CURRENT), function (other) {
      if (other !== row) other.classList.remove(CURRENT)
    })
    row.classList.add(CURRENT)
    currentId = row.getAttribute('data-conversation-id')
    store(STORE_ROW, currentId)
  }

  function move(event, step) {
    // Arrow keys keep their meaning on controls other than the rows' own.
    if (event.key.length > 1 && !atRest(event.target) && !rowOf(event.target)) return false
    var list = rows()
    if (!list.length) return false
    var focused = rowOf(event.target)
    var index = list.indexOf(focused || currentRow())
    var next = index < 0 ? 0 : index + step
    if (next < 0 || next >= list.length) {
      announce(msg(step > 0 ? 'client.shortcuts.lastRow' : 'client.shortcuts.firstRow'))
      return true
    }
    var row = list[next]
    setCurrent(row)
    var link = row.querySelector('a.row-link')
    if (focused && link) {
      // The focus was in the list: it follows, and the screen reader reads the row it lands on.
      link.focus()
    } else {
      row.scrollIntoView({ block: 'nearest' })
      announce(msg('client.shortcuts.position', { position: numbers.format(next + 1), count: numbers.format(list.length), subject: subjectOf(row) }))
    }
    return true
  }

  function open(event) {
    // Enter on a link or a button is theirs; on the page or a row's checkbox it opens the row.
    if (event.key.length > 1 && !atRest(event.target) && !(rowOf(event.target) && event.target.type === 'checkbox')) return false
    var row = rowOf(event.target) || currentRow()
    var link = row && row.querySelector('a.row-link')
    if (!link) return false
    setCurrent(row)
    link.click()
    return true
  }

  function select(event) {
    var row = rowOf(event.target) || currentRow()
    var box = row && row.querySelector('input.row-select')
    if (!box || box.disabled) return false
    setCurrent(row)
    // A click, so that "change" reaches the bulk bar as it would from the mouse.
    box.click()
    announce(msg(box.checked ? 'client.shortcuts.selected' : 'client.shortcuts.deselected', { subject: subjectOf(row) }))
    return true
  }

  function search() {
    var box = document.getElementById('q')
    if (!box) return false
    box.focus()
    box.select()
    return true
  }

  function follow(selector) {
    var link = document.querySelector(selector)
    if (!link) return false
    link.click()
    return true
  }

  // ---- The conversation ---------------------------------------------------------------------
  /** Reply or internal note: the matching radio, then the editor, the caret at the end of any draft. */
  function compose(type) {
    var form = document.querySelector('.reply-form')
    if (!form) return false
    var radio = form.querySelector('input[name="type"][value="' + type + '"]')
    var editor = form.querySelector('[data-editor]')
    if (!radio && !editor) return false
    if (radio && !radio.checked) radio.click()
    if (!editor) return true
    var surface = editor.querySelector('.ql-container')
    var quill = window.Quill && surface ? window.Quill.find(surface) : null
    if (quill && typeof quill.setSelection === 'function') {
      quill.focus()
      quill.setSelection(quill.getLength() - 1, 0)
    } else {
      var field = editor.querySelector('[contenteditable="true"]') || editor.querySelector('textarea:not([hidden])')
      if (field) field.focus()
    }
    return true
  }

  function assignToMe() {
    var button = document.querySelector('button[data-action="assign-me"]')
    if (!button || button.disabled || button.closest('[hidden]')) return false
    // What happened is said by the page's own answer (its toast or flash).
    button.click()
    return true
  }

  function changeStatus() {
    var status = document.getElementById('set-status')
    if (!status || status.disabled) return false
    status.focus()
    return true
  }

  /** Sends the reply form the event comes from, as its own button would. */
  function send(event) {
    var form = event.target && event.target.closest ? event.target.closest('form.reply-form') : null
    if (!form) return false
    var button = form.querySelector('.editor-actions button[type=submit]') || form.querySelector('button[type="submit"]')
    if (!button || button.disabled) return true
    if (typeof form.requestSubmit === 'function') form.requestSubmit(button)
    else button.click()
    return true
  }

  // ---- Everywhere ---------------------------------------------------------------------------
  /** A tab of the list: its link where the tabs are shown (it keeps the filters), else the list. */
  function goTo(tab) {
    var links = document.querySelectorAll('.tabs a.tab')
    for (var i = 0; i < links.length; i++) {
      var name = links[i].getAttribute('data-tab') || new URL(links[i].href, window.location.href).searchParams.get('tab')
      if (name === tab) {
        links[i].click()
        return true
      }
    }
    window.location.assign('/conversations?tab=' + encodeURIComponent(tab))
    return true
  }

  var opener = null
  function openHelp() {
    if (dialog.open) return true
    opener = document.activeElement
    dialog.showModal()
    return true
  }
  dialog.addEventListener('close', function () {
    if (opener && opener !== document.body && document.contains(opener) && typeof opener.focus === 'function') opener.focus()
    opener = null
  })
  // A click on the backdrop closes the dialog (the dialog's box is filled by its body).
  dialog.addEventListener('click', function (event) {
    if (event.target === dialog) dialog.close()
  })
  Array.prototype.forEach.call(dialog.querySelectorAll('[data-shortcuts-close]'), function (button) {
    button.addEventListener('click', function () {
      dialog.close()
    })
  })
  Array.prototype.forEach.call(document.querySelectorAll('[data-shortcuts-open]'), function (button) {
    button.addEventListener('click', openHelp)
  })
  Array.prototype.forEach.call(document.querySelectorAll('[data-shortcuts-hint]'), function (hint) {
    hint.hidden = false
  })

  var ACTIONS = {
    'list.next': function (event) {
      return move(event, 1)
    },
    'list.previous': function (event) {
      return move(event, -1)
    },
    'list.open': open,
    'list.select': select,
    'list.search': search,
    'list.newer': function () {
      return follow('a[rel~="prev"]')
    },
    'list.older': function () {
      return follow('a[rel~="next"]')
    },
    'conversation.reply': function () {
      return compose('reply')
    },
    'conversation.note': function () {
      return compose('comment')
    },
    'conversation.assignToMe': assignToMe,
    'conversation.status': changeStatus,
    'conversation.next': function () {
      return follow('a[data-nav="next"]')
    },
    'conversation.previous': function () {
      return follow('a[data-nav="previous"]')
    },
    'conversation.list': function () {
      return follow('a[data-nav="list"]')
    },
    'conversation.send': send,
    'go.new': function () {
      return goTo('new')
    },
    'go.open': function () {
      return goTo('open')
    },
    'go.pending': function () {
      return goTo('pending')
    },
    'go.closed': function () {
      return goTo('closed')
    },
    'go.all': function () {
      return goTo('all')
    },
    'go.mine': function () {
      return goTo('mine')
    },
    'go.unassigned': function () {
      return goTo('unassigned')
    },
    help: openHelp,
  }

  /** Runs the first of the actions that applies here; true when one did. */
  function run(actions, event) {
    for (var i = 0; i < actions.length; i++) {
      var action = ACTIONS[actions[i]]
      if (!action || (event.repeat && !REPEATABLE[actions[i]])) continue
      if (action(event)) {
        store(STORE_USED, '1')
        return true
      }
    }
    return false
  }

  // Ctrl/⌘ + Enter sends, even from the editor: heard before the editor, which would keep the key.
  document.addEventListener(
    'keydown',
    function (event) {
      var actions = keymap[keyName(event)]
      if (!actions || actions.indexOf('conversation.send') < 0 || event.isComposing) return
      if (dialog.open || anotherDialogOpen() || !event.target.closest || !event.target.closest('form.reply-form')) return
      // Prevented, the key reaches the editor as handled: no new line.
      event.preventDefault()
      if (!event.repeat) send(event)
    },
    true,
  )

  var sequence = null
  var sequenceTimer = null
  function endSequence() {
    sequence = null
    clearTimeout(sequenceTimer)
  }

  document.addEventListener('keydown', function (event) {
    if (event.defaultPrevented || event.isComposing) return
    if (dialog.open) {
      // Escape is the dialog's own; ? closes it as it opened it.
      if (event.key === '?' && !event.repeat) {
        event.preventDefault()
        dialog.close()
      }
      return
    }
    if (isTyping(event.target) || anotherDialogOpen()) return endSequence()
    var name = keyName(event)
    if (!name) return
    var actions = null
    if (sequence) {
      actions = keymap[sequence + ',' + name] || null
      endSequence()
    }
    if (!actions && sequenceStarts[name] && !keymap[name]) {
      if (!event.repeat) {
        sequence = name
        sequenceTimer = setTimeout(endSequence, SEQUENCE_TIMEOUT)
      }
      event.preventDefault()
      return
    }
    actions = actions || keymap[name]
    if (actions && run(actions, event)) event.preventDefault()
  })

  // ---- The cursor kept -----------------------------------------------------------------------
  if (stored(STORE_USED)) {
    var header = document.querySelector('.conversation-header[data-conversation-id]')
    if (header) store(STORE_ROW, header.getAttribute('data-conversation-id'))
    // Back on a list, the cursor is on the conversation last seen, if the list shows it.
    var last = stored(STORE_ROW)
    if (last && /^\d+$/.test(last) && !conversationPage) {
      currentId = last
      var row = currentRow()
      if (row) row.classList.add(CURRENT)
      else currentId = null
    }
  }
  // The live list replaces rows in place: the row under the cursor keeps its outline.
  var main = document.getElementById('main')
  if (main && typeof MutationObserver === 'function' && !conversationPage && document.querySelector('.conversation-list')) {
    var pending = false
    new MutationObserver(function () {
      if (pending || currentId === null) return
      pending = true
      window.requestAnimationFrame(function () {
        pending = false
        var row = currentRow()
        if (row && !row.classList.contains(CURRENT)) row.classList.add(CURRENT)
      })
    }).observe(main, { childList: true, subtree: true })
  }
})()
