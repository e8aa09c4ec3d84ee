// The live list: the red bar on rows another agent has open, and the tab counts, kept current
// from the events live.js passes on ("suivi:live"). Without JavaScript the list shows its load.
;(function () {
  'use strict'
  if (!window.fetch) return

  // The texts of this script in the page's language: head.ejs puts them in a JSON block (read once).
  var messagesBlock = document.getElementById('client-messages')
  var MESSAGES = messagesBlock ? JSON.parse(messagesBlock.textContent) : {}
  /** A text by its key, its {name} placeholders filled in. */
  function msg(key, values) {
    var text = MESSAGES[key] || key
    return text.replace(/\{(\w+)\}/g, function (all, name) {
      return values && Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : all
    })
  }
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

  // ---- The list page: red bars and counts.
  var rows = {}
  document.querySelectorAll('.conversation-row[data-conversation-id]').forEach(function (row) {
    rows[row.getAttribute('data-conversation-id')] = row
  })
  var countsTimer = null
  var refreshCounts = function () {
    if (!document.querySelector('.tabs .count')) return
    clearTimeout(countsTimer)
    countsTimer = setTimeout(function () {
      fetch('/conversations-counts' + window.location.search, { credentials: 'same-origin' })
        .then(function (r) {
          return r.ok ? r.json() : null
        })
        .then(function (counts) {
          if (!counts) return
          document.querySelectorAll('.tabs .tab').forEach(function (tab) {
            var key = new URL(tab.href).searchParams.get('tab')
            var badge = tab.querySelector('.count')
            if (badge && key in counts) {
              badge.textContent = counts[key].text
              badge.setAttribute('aria-label', counts[key].label)
            }
          })
        })
        .catch(function () {})
    }, 500)
  }

  document.addEventListener('suivi:live', function (e) {
    var type = e.detail.type
    var event = e.detail.event
    if (type === 'presence.changed') {
      var row = rows[String(event.conversationId)]
      if (!row) return
      var list = others(event.viewers)
      row.classList.toggle('is-viewed', list.length > 0)
      if (list.length) row.title = msg('client.live.openNow', { names: namesOf(list) })
      else row.removeAttribute('title')
      return
    }
    refreshCounts()
  })
})()
