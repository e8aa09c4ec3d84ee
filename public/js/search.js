// Suggestions while the agent types in the list's search box: filter keys and their values, a
// prefix search, customers and conversations (GET /conversations/suggestions). An ARIA 1.2
// combobox with a listbox: arrows move through it, Enter takes the highlighted suggestion,
// Escape closes it. Requests wait for a pause in typing, and a newer one cancels the older.
// Without JavaScript the box is a plain search field.
;(function () {
  'use strict'

  var field = document.querySelector('[data-suggestions]')
  var input = document.getElementById('q')
  if (!field || !input || !window.fetch || !window.AbortController) return
  var url = field.getAttribute('data-suggestions')

  var msg = window.SuiviMessages.msg
  var plural = window.SuiviMessages.plural

  /** How long typing must pause before suggestions are asked for. */
  var DEBOUNCE_MS = 150

  var listbox = document.createElement('ul')
  listbox.id = 'q-suggestions'
  listbox.className = 'search-suggestions'
  listbox.setAttribute('role', 'listbox')
  listbox.setAttribute('aria-label', msg('client.search.suggestions'))
  listbox.hidden = true
  // The box and its list in a wrapper of their own: the list lies over the page right under the box.
  var wrapper = document.createElement('div')
  wrapper.className = 'search-combobox'
  input.parentNode.insertBefore(wrapper, input)
  wrapper.appendChild(input)
  wrapper.appendChild(listbox)

  // How many suggestions there are, read out when they change.
  var announce = document.createElement('p')
  announce.className = 'visually-hidden'
  announce.setAttribute('aria-live', 'polite')
  field.appendChild(announce)

  input.setAttribute('role', 'combobox')
  input.setAttribute('aria-autocomplete', 'list')
  input.setAttribute('aria-expanded', 'false')
  input.setAttribute('aria-controls', listbox.id)

  var items = []
  var active = -1
  var timer = null
  var pending = null

  function isOpen() {
    return !listbox.hidden
  }

  function close() {
    listbox.hidden = true
    input.setAttribute('aria-expanded', 'false')
    input.removeAttribute('aria-activedescendant')
    setActive(-1)
  }

  function setActive(index) {
    var options = listbox.children
    if (active >= 0 && options[active]) options[active].setAttribute('aria-selected', 'false')
    active = index
    if (active >= 0 && options[active]) {
      options[active].setAttribute('aria-selected', 'true')
      input.setAttribute('aria-activedescendant', options[active].id)
      if (options[active].scrollIntoView) options[active].scrollIntoView({ block: 'nearest' })
    } else input.removeAttribute('aria-activedescendant')
  }

  function show(suggestions) {
    items = suggestions
    active = -1
    listbox.textContent = ''
    suggestions.forEach(function (item, i) {
      var option = document.createElement('li')
      option.id = 'q-suggestion-' + i
      option.className = 'search-suggestion search-suggestion-' + item.kind
      option.setAttribute('role', 'option')
      option.setAttribute('aria-selected', 'false')
      var label = document.createElement('span')
      label.className = 'search-suggestion-label'
      label.textContent = item.label
      option.appendChild(label)
      if (item.detail) {
        var detail = document.createElement('span')
        detail.className = 'search-suggestion-detail'
        detail.textContent = item.detail
        option.appendChild(detail)
      }
      // mousedown, not click: the box keeps the focus (its blur would close the list first).
      option.addEventListener('mousedown', function (event) {
        event.preventDefault()
        choose(i)
      })
      listbox.appendChild(option)
    })
    if (suggestions.length) {
      listbox.hidden = false
      input.setAttribute('aria-expanded', 'true')
    } else close()
    announce.textContent = suggestions.length ? plural('client.search.count', suggestions.length) : ''
  }

  function choose(index) {
    var item = items[index]
    if (!item) return
    if (item.href) {
      window.location.href = item.href
      return
    }
    input.value = item.value
    input.setSelectionRange(input.value.length, input.value.length)
    close()
    // A key just chosen ("tag:") has values to offer next.
    request()
  }

  function request() {
    var text = input.value
    if (pending) pending.abort()
    pending = null
    if (!text.trim()) {
      show([])
      return
    }
    var controller = new AbortController()
    pending = controller
    fetch(url + '?q=' + encodeURIComponent(text), {
      headers: { Accept: 'application/json' },
      credentials: 'same-origin',
      signal: controller.signal,
    })
      .then(function (res) {
        return res.ok ? res.json() : { suggestions: [] }
      })
      .then(function (data) {
        // An answer to text since changed, or for a box no longer in use, is dropped.
        if (pending !== controller || input.value !== text || document.activeElement !== input) return
        pending = null
        show(data.suggestions || [])
      })
      .catch(function () {
        // Aborted by a newer request, or the network is away: no suggestions, the search still works.
      })
  }

  input.addEventListener('input', function () {
    clearTimeout(timer)
    timer = setTimeout(request, DEBOUNCE_MS)
  })

  input.addEventListener('keydown', function (event) {
    // Key names compared in lower case ("arrowdown"): the same in every browser.
    var key = String(event.key).toLowerCase()
    if (key === 'arrowdown' || key === 'arrowup') {
      if (!isOpen()) {
        if (items.length) {
          listbox.hidden = false
          input.setAttribute('aria-expanded', 'true')
        } else request()
        event.preventDefault()
        return
      }
      var step = key === 'arrowdown' ? 1 : -1
      var next = active + step
      if (next >= items.length) next = 0
      if (next < 0) next = items.length - 1
      setActive(next)
      event.preventDefault()
    } else if (key === 'enter') {
      // With a suggestion highlighted, Enter takes it; otherwise the form searches as typed.
      if (isOpen() && active >= 0) {
        event.preventDefault()
        choose(active)
      } else close()
    } else if (key === 'escape') {
      if (isOpen()) {
        // Closes the list only (a search box would also clear itself).
        event.preventDefault()
        event.stopPropagation()
        close()
      }
    }
  })

  input.addEventListener('blur', function () {
    clearTimeout(timer)
    close()
  })
})()
