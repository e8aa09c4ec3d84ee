// The texts of the page's scripts in the reader's language: head.ejs loads them first, from a file
// per language (/public/texts/client.<language>.<hash>.js, cached for good). Loaded before every other script.
//
//   window.SuiviMessages.msg('client.toast.undo')                      → "Undo"
//   window.SuiviMessages.msg('client.reply.sendingIn', { seconds: 4 })  → "Leaves in 4 s"
//   window.SuiviMessages.plural('client.list.newRows', 3)               → "3 new conversations"
;(function () {
  'use strict'
  var MESSAGES = window.SuiviTexts || {}
  var lang = document.documentElement.lang || undefined
  var plurals = new Intl.PluralRules(lang)
  var numbers = new Intl.NumberFormat(lang)

  /** A text by its key, its {name} placeholders filled in. */
  function msg(key, values) {
    var text = MESSAGES[key] || key
    return text.replace(/\{(\w+)\}/g, function (all, name) {
      return values && Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : all
    })
  }

  /** A text that depends on a count: the key ends with the language's plural category (one, other…); {count} is the number written for the reader. */
  function plural(key, count, values) {
    var exact = key + '.' + plurals.select(count)
    return msg(exact in MESSAGES ? exact : key + '.other', Object.assign({ count: numbers.format(count) }, values))
  }

  window.SuiviMessages = { msg: msg, plural: plural }
})()
