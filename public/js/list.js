// The bulk bar of the conversation list: only the choice that goes with the chosen action is
// shown, one checkbox selects every row of the page, and "Apply" waits until a row is selected.
// The rows are looked up each time: the live list brings rows later, even to a list that was empty.
// Without JavaScript every select is shown and the server checks the form.
;(function () {
  'use strict'

  var bar = document.querySelector('.bulk-bar')
  if (!bar) return

  var msg = window.SuiviMessages.msg
  var plural = window.SuiviMessages.plural
  var form = bar.closest('form')
  var action = bar.querySelector('#bulk-action')
  var apply = bar.querySelector('button[type="submit"]')
  var targets = { assign: 'bulk-assignee', move: 'bulk-folder', tag: 'bulk-tag' }

  function rows() {
    return Array.prototype.slice.call(form.querySelectorAll('.row-select'))
  }

  // Only the select that goes with the chosen action (none for "Close").
  function showTarget() {
    Object.keys(targets).forEach(function (key) {
      var select = bar.querySelector('#' + targets[key])
      if (!select) return
      var label = bar.querySelector('label[for="' + targets[key] + '"]')
      var shown = action && action.value === key
      select.hidden = !shown
      if (label) label.hidden = !shown
    })
  }

  // "Select all on this page", first in the bar.
  var allLabel = document.createElement('label')
  allLabel.className = 'bulk-select-all'
  var all = document.createElement('input')
  all.type = 'checkbox'
  all.id = 'bulk-select-all'
  allLabel.appendChild(all)
  allLabel.appendChild(document.createTextNode(' ' + msg('client.list.selectAll')))
  bar.insertBefore(allLabel, bar.firstChild)

  // "N selected", after the Apply button, read out when it changes.
  var count = document.createElement('span')
  count.className = 'bulk-count muted small'
  count.setAttribute('aria-live', 'polite')
  bar.appendChild(count)

  function updateSelection() {
    var boxes = rows()
    var selected = boxes.filter(function (b) {
      return b.checked
    }).length
    all.checked = boxes.length > 0 && selected === boxes.length
    all.indeterminate = selected > 0 && selected < boxes.length
    if (apply) apply.disabled = selected === 0
    count.textContent = plural('client.list.selected', selected)
    boxes.forEach(function (b) {
      var row = b.closest('.conversation-row')
      if (row) row.classList.toggle('is-selected', b.checked)
    })
  }

  all.addEventListener('change', function () {
    rows().forEach(function (b) {
      b.checked = all.checked
    })
    updateSelection()
  })
  form.addEventListener('change', function (event) {
    if (event.target.classList && event.target.classList.contains('row-select')) updateSelection()
  })
  if (action) action.addEventListener('change', showTarget)

  function refresh() {
    showTarget()
    updateSelection()
  }
  // Browsers restore checkboxes and selects on back/forward navigation without firing "change".
  window.addEventListener('pageshow', refresh)
  // The live list (list-live.js) added, moved or removed rows: count them again.
  document.addEventListener('suivi:list-rows', updateSelection)
  refresh()
})()
