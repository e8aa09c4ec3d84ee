// The live list: rows come, move, change and go as the help desk works, without a reload and
// without losing the agent's place (checked rows, keyboard focus, scroll position); the red bar on
// rows another agent has open; the tab counts. Events come from live.js ("suivi:live"); the rows
// from GET /conversations/rows, the same page of the same list. Without JavaScript the list shows its load.
;(function () {
  'use strict'
  if (!window.fetch) return

  var msg = window.SuiviMessages.msg
  var plural = window.SuiviMessages.plural
  var meAttr = document.querySelector('meta[name="agent-id"]')
  var me = meAttr ? Number(meAttr.getAttribute('content')) : 0
  function others(viewers) {
    return viewers.filter(function (v) {
      return v.agentId !== me
    })
  }
  function namesOf(viewers) {
    return viewers
      .map(function (v) {
        return v.name
      })
      .join(', ')
  }
  function toArray(list) {
    return Array.prototype.slice.call(list)
  }
  function rowOf(id) {
    return document.querySelector('.conversation-row[data-conversation-id="' + Number(id) + '"]')
  }

  // ---- Tab counts.
  function showCounts(counts) {
    document.querySelectorAll('.tabs .tab').forEach(function (tab) {
      var key = new URL(tab.href).searchParams.get('tab')
      var badge = tab.querySelector('.count')
      if (badge && key in counts) {
        badge.textContent = counts[key].text
        badge.setAttribute('aria-label', counts[key].label)
      }
    })
  }
  var countsTimer = null
  /** Pages with tabs but no live list: the counts alone. */
  function refreshCounts() {
    if (!document.querySelector('.tabs .count')) return
    clearTimeout(countsTimer)
    countsTimer = setTimeout(function () {
      fetch('/conversations-counts' + window.location.search, { credentials: 'same-origin' })
        .then(function (r) {
          return r.ok ? r.json() : null
        })
        .then(function (counts) {
          if (counts) showCounts(counts)
        })
        .catch(function () {})
    }, 500)
  }

  // ---- The red bar: who has a row open, as presence changes.
  function showViewers(event) {
    var row = rowOf(event.conversationId)
    if (!row) return
    var list = others(event.viewers)
    row.classList.toggle('is-viewed', list.length > 0)
    if (list.length) row.title = msg('client.live.openNow', { names: namesOf(list) })
    else row.removeAttribute('title')
  }

  var live = document.querySelector('.list-live[data-rows-href]')
  var form = live && live.querySelector('form.bulk')
  if (!live || !form) {
    document.addEventListener('suivi:live', function (e) {
      if (e.detail.type === 'presence.changed') showViewers(e.detail.event)
      else refreshCounts()
    })
    return
  }

  var rowsHref = live.getAttribute('data-rows-href')
  var emptyState = live.querySelector('.empty-state')
  var announcer = document.getElementById('list-announce')

  // ---- Keeping the agent's place: the first row in view stays where it is on the screen.
  function scrollerOf(el) {
    for (var p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      var overflow = window.getComputedStyle(p).overflowY
      if ((overflow === 'auto' || overflow === 'scroll') && p.scrollHeight > p.clientHeight) return p
    }
    return document.scrollingElement || document.documentElement
  }
  function viewTop(scroller) {
    return scroller === document.scrollingElement || scroller === document.documentElement ? 0 : scroller.getBoundingClientRect().top
  }
  /** The rows in view from the top, with where each stands: the first still there after the change is the anchor. */
  function anchors(list) {
    var scroller = scrollerOf(list)
    var top = viewTop(scroller)
    var found = []
    var rows = list.querySelectorAll('.conversation-row')
    for (var i = 0; i < rows.length && found.length < 8; i++) {
      var box = rows[i].getBoundingClientRect()
      if (box.bottom <= top) continue
      // At the very top of the list: new rows come into view above, nothing to keep.
      if (i === 0 && box.top >= top) return null
      found.push({ row: rows[i], top: box.top })
    }
    return found.length ? { scroller: scroller, rows: found } : null
  }
  function restoreScroll(anchor) {
    if (!anchor) return
    for (var i = 0; i < anchor.rows.length; i++) {
      var a = anchor.rows[i]
      if (!a.row.isConnected) continue
      var delta = a.row.getBoundingClientRect().top - a.top
      if (delta) anchor.scroller.scrollTop += delta
      return
    }
  }

  // ---- Comparing and updating a row in place.
  /** What a row shows, less its relative time ("3 min ago" changes by itself). */
  function signature(row) {
    var link = row.querySelector('.row-link')
    if (!link) return ''
    var copy = link.cloneNode(true)
    var time = copy.querySelector('time')
    if (time) {
      time.textContent = ''
      time.removeAttribute('title')
    }
    var box = row.querySelector('.row-select')
    return copy.innerHTML + '|' + link.getAttribute('href') + '|' + (box ? box.getAttribute('aria-label') : '')
  }
  /** The fresh row's content in the row on the page (the same elements stay: focus and the checkbox's state with them). */
  function update(row, fresh) {
    var changed = signature(row) !== signature(fresh)
    var link = row.querySelector('.row-link')
    var freshLink = fresh.querySelector('.row-link')
    if (changed && link && freshLink) {
      while (link.firstChild) link.removeChild(link.firstChild)
      while (freshLink.firstChild) link.appendChild(freshLink.firstChild)
      link.setAttribute('href', freshLink.getAttribute('href'))
      var box = row.querySelector('.row-select')
      var freshBox = fresh.querySelector('.row-select')
      if (box && freshBox) box.setAttribute('aria-label', freshBox.getAttribute('aria-label'))
    } else if (link && freshLink) {
      var time = link.querySelector('time')
      var freshTime = freshLink.querySelector('time')
      if (time && freshTime) {
        time.textContent = freshTime.textContent
        time.setAttribute('title', freshTime.getAttribute('title') || '')
      }
    }
    row.classList.toggle('is-viewed', fresh.classList.contains('is-viewed'))
    if (fresh.hasAttribute('title')) row.setAttribute('title', fresh.getAttribute('title'))
    else row.removeAttribute('title')
    row.classList.remove('is-gone')
    return changed
  }
  /** A brief highlight (still, without motion, when the agent asks for less motion: see app.css). */
  function highlight(row) {
    row.classList.remove('is-fresh')
    void row.offsetWidth
    row.classList.add('is-fresh')
    setTimeout(function () {
      row.classList.remove('is-fresh')
    }, 2500)
  }
  function announce(text) {
    if (!announcer) return
    // Emptied first, so the same words said twice are read twice.
    announcer.textContent = ''
    setTimeout(function () {
      announcer.textContent = text
    }, 50)
  }

  // Conversations the events named since the last refresh: those created, and all of them.
  var created = {}
  var touched = {}

  function apply(data, named) {
    var holder = document.createElement('div')
    holder.innerHTML = data.rows
    var freshList = holder.querySelector('.conversation-list')
    var list = form.querySelector('.conversation-list')
    if (!freshList || !list) return
    var anchor = anchors(list)
    var focused = document.activeElement && list.contains(document.activeElement) ? document.activeElement : null
    var focusedRow = focused ? focused.closest('.conversation-row') : null

    var before = toArray(list.querySelectorAll('.conversation-row[data-conversation-id]'))
    var current = {}
    before.forEach(function (row) {
      current[row.getAttribute('data-conversation-id')] = row
    })
    var inFresh = {}
    var added = 0
    var order = toArray(freshList.querySelectorAll('.conversation-row[data-conversation-id]')).map(function (fresh) {
      var id = fresh.getAttribute('data-conversation-id')
      inFresh[id] = true
      var row = current[id]
      if (!row) {
        if (named.created[id]) added++
        if (named.touched[id]) highlight(fresh)
        return fresh
      }
      if (update(row, fresh)) highlight(row)
      return row
    })
    // A row that left the list goes, unless the agent checked it: it stays (marked) so the
    // selection they made is still what the bulk form sends.
    var previous = null
    before.forEach(function (row) {
      var id = row.getAttribute('data-conversation-id')
      if (inFresh[id]) {
        previous = row
        return
      }
      var box = row.querySelector('.row-select')
      if (box && box.checked) {
        row.classList.add('is-gone')
        order.splice(previous ? order.indexOf(previous) + 1 : 0, 0, row)
        previous = row
      }
    })
    // Into place, moving only what must move.
    order.forEach(function (row, i) {
      if (list.children[i] !== row) list.insertBefore(row, list.children[i] || null)
    })
    while (list.children.length > order.length) list.removeChild(list.lastElementChild)

    // Focus stays on the same row (moving an element drops focus), or goes to the next one when its row left.
    if (focused && !focused.isConnected && focusedRow) {
      var next = order[Math.min(before.indexOf(focusedRow), order.length - 1)]
      focused = next ? next.querySelector('.row-link') : null
    }
    if (focused && focused.isConnected && document.activeElement !== focused) focused.focus({ preventScroll: true })
    restoreScroll(anchor)

    form.hidden = order.length === 0
    if (emptyState) emptyState.hidden = order.length > 0
    showPager(data.pager)
    if (data.counts) showCounts(data.counts)
    if (added) announce(plural('client.list.live.new', added))
    // The bulk bar counts its rows again (list.js).
    document.dispatchEvent(new CustomEvent('suivi:list-rows'))
  }

  function showPager(html) {
    var pager = live.querySelector('[data-list-pager]')
    if (!pager || typeof html !== 'string') return
    var holder = document.createElement('div')
    holder.innerHTML = html
    var fresh = holder.querySelector('[data-list-pager]')
    if (!fresh || fresh.outerHTML === pager.outerHTML) return
    var rel = pager.contains(document.activeElement) ? document.activeElement.getAttribute('rel') : null
    pager.replaceWith(fresh)
    var back = rel && fresh.querySelector('a[rel="' + rel + '"]')
    if (back) back.focus({ preventScroll: true })
  }

  // ---- Asking again: 500 ms after the last event of a burst, at most 2 s after its first.
  var QUIET_MS = 500
  var MAX_WAIT_MS = 2000
  var timer = null
  var firstAt = 0
  var inFlight = false
  var again = false
  var waitingForView = false
  function schedule() {
    var now = Date.now()
    if (!timer) firstAt = now
    clearTimeout(timer)
    timer = setTimeout(refresh, Math.max(0, Math.min(QUIET_MS, firstAt + MAX_WAIT_MS - now)))
  }
  function refresh() {
    timer = null
    // A list nobody looks at waits until it is seen again.
    if (document.hidden) {
      waitingForView = true
      return
    }
    if (inFlight) {
      again = true
      return
    }
    inFlight = true
    // What the events named so far; events arriving meanwhile are for the next refresh.
    var named = { created: created, touched: touched }
    created = {}
    touched = {}
    fetch(rowsHref, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) {
        return r.ok ? r.json() : null
      })
      .then(function (data) {
        if (data) apply(data, named)
      })
      .catch(function () {})
      .then(function () {
        inFlight = false
        if (again) {
          again = false
          schedule()
        }
      })
  }
  document.addEventListener('visibilitychange', function () {
    if (!document.hidden && waitingForView) {
      waitingForView = false
      schedule()
    }
  })

  document.addEventListener('suivi:live', function (e) {
    var type = e.detail.type
    var event = e.detail.event
    if (type === 'presence.changed') return showViewers(event)
    if (type !== 'conversation.created' && type !== 'conversation.updated' && type !== 'message.created') return
    if (event && event.conversationId) {
      touched[event.conversationId] = true
      if (type === 'conversation.created') created[event.conversationId] = true
    }
    schedule()
  })
})()
