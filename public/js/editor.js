// Turns each [data-editor] textarea into a Quill rich-text editor. Without JavaScript the
// textarea is sent as plain text; with it, the editor's HTML goes in the hidden "html" field and
// the server sanitises it either way. It also makes the reply form show plainly whether the text
// goes to the customer or stays an internal comment.
;(function () {
  'use strict'

  var msg = window.SuiviMessages.msg

  var IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp']
  var PLACEHOLDER = msg('client.editor.placeholder')
  var PLACEHOLDER_INTERNAL = msg('client.editor.placeholderInternal')

  // Tags that start or end a line: a space next to one of them would be dropped by the browser.
  var BLOCK_TAG = /^<\/?(?:p|div|li|ol|ul|blockquote|pre|h[1-6]|table|thead|tbody|tr|td|th|figure|figcaption|iframe|br|hr)\b/i
  var TAG = /<(?:[^>"']|"[^"]*"|'[^']*')*>/g

  /**
   * Quill 2.0.3's getSemanticHTML() writes every space as &nbsp;, so lines no longer break
   * between words. Put ordinary spaces back, keeping a non-breaking one only where it is needed
   * for the text to look the same: in runs of two or more spaces (alternating " &nbsp;") and at
   * the start or end of a line, where a plain space would collapse.
   */
  function restoreSpaces(html) {
    var parts = []
    var last = 0
    var match
    TAG.lastIndex = 0
    while ((match = TAG.exec(html))) {
      if (match.index > last) parts.push({ text: html.slice(last, match.index) })
      parts.push({ tag: match[0] })
      last = TAG.lastIndex
    }
    if (last < html.length) parts.push({ text: html.slice(last) })

    var lineStart = true // nothing visible yet on this line
    var afterSpace = false // the last thing written was a collapsible space
    var out = ''
    parts.forEach(function (part, i) {
      if (part.tag) {
        if (BLOCK_TAG.test(part.tag)) {
          lineStart = true
          afterSpace = false
        } else if (/^<(?:img|iframe|video)\b/i.test(part.tag)) {
          lineStart = false
          afterSpace = false
        }
        out += part.tag
        return
      }
      var next = parts[i + 1]
      var lineEndsAfter = !next || (next.tag && BLOCK_TAG.test(next.tag))
      var text = part.text
      var pieces = text.split(/((?:&nbsp;)+)/)
      pieces.forEach(function (piece, j) {
        if (piece === '') return
        if (piece.indexOf('&nbsp;') !== 0) {
          out += piece
          lineStart = false
          afterSpace = false
          return
        }
        var count = piece.length / 6
        var atEnd = lineEndsAfter && pieces.slice(j + 1).join('') === ''
        var startHard = lineStart || afterSpace
        var run = []
        for (var k = 0; k < count; k++) run.push((k % 2 === 0) === startHard ? '&nbsp;' : ' ')
        if (atEnd && run[run.length - 1] === ' ') run[run.length - 1] = '&nbsp;'
        out += run.join('')
        afterSpace = run[run.length - 1] === ' '
        lineStart = false
      })
    })
    return out
  }

  /** Reply or internal comment: the form says which, so nobody sends a note to a customer by mistake. */
  function setUpReplyType(form) {
    var radios = form.querySelectorAll('input[type="radio"][name="type"]')
    if (!radios.length) return
    var editor = form.querySelector('.editor')
    var statusSelect = form.querySelector('#status-after')
    var statusLabel = statusSelect ? form.querySelector('label[for="status-after"]') : null
    var submit = form.querySelector('.editor-actions button[type=submit]') || form.querySelector('button[type="submit"]')
    var sendLabel = submit ? submit.textContent.trim() : ''
    var fieldset = form.querySelector('.reply-type')

    var hint = document.createElement('p')
    hint.className = 'internal-hint'
    hint.id = 'internal-hint'
    hint.textContent = msg('client.editor.internalHint')
    hint.hidden = true
    if (fieldset) fieldset.insertAdjacentElement('afterend', hint)
    else form.insertBefore(hint, form.firstChild)

    function update() {
      var checked = form.querySelector('input[type="radio"][name="type"]:checked')
      var internal = !!checked && checked.value === 'comment'
      form.classList.toggle('is-internal', internal)
      if (editor) editor.classList.toggle('is-internal', internal)
      hint.hidden = !internal
      if (statusSelect) statusSelect.hidden = internal
      if (statusLabel) statusLabel.hidden = internal
      if (submit) submit.textContent = internal ? msg('client.editor.addComment') : sendLabel
      // Tell screen-reader users too, on whichever field takes the text (Quill's or the textarea).
      var fields = editor ? editor.querySelectorAll('.ql-editor, textarea') : []
      fields.forEach(function (field) {
        var ids = (field.getAttribute('aria-describedby') || '').split(/\s+/).filter(function (id) {
          return id && id !== hint.id
        })
        if (internal) ids.push(hint.id)
        if (ids.length) field.setAttribute('aria-describedby', ids.join(' '))
        else field.removeAttribute('aria-describedby')
      })
      var editable = editor && editor.querySelector('.ql-editor')
      if (editable) editable.setAttribute('data-placeholder', internal ? PLACEHOLDER_INTERNAL : PLACEHOLDER)
    }

    radios.forEach(function (r) {
      r.addEventListener('change', update)
    })
    // Browsers restore radio buttons on back/forward navigation without firing "change".
    window.addEventListener('pageshow', update)
    return update
  }

  function setUpEditor(container) {
    var textarea = container.querySelector('textarea')
    var hidden = container.querySelector('input[name="html"]')
    var label = container.querySelector('label')
    // One box holds Quill's toolbar and editing area, so they read as a single field.
    var box = document.createElement('div')
    box.className = 'editor-box'
    var surface = document.createElement('div')
    surface.className = 'editor-surface'
    box.appendChild(surface)
    container.insertBefore(box, textarea)
    textarea.hidden = true

    var quill = new window.Quill(surface, {
      theme: 'snow',
      placeholder: PLACEHOLDER,
      modules: {
        toolbar: [['bold', 'italic'], [{ list: 'bullet' }, { list: 'ordered' }], ['blockquote', 'link'], ['image', 'video'], ['clean']],
        uploader: { mimetypes: IMAGE_TYPES },
      },
    })
    if (hidden.value) quill.clipboard.dangerouslyPasteHTML(hidden.value)
    else if (textarea.value) quill.setText(textarea.value)

    // Name the editable area and the toolbar buttons for screen readers and keyboards.
    var editable = surface.querySelector('.ql-editor')
    editable.setAttribute('role', 'textbox')
    editable.setAttribute('aria-multiline', 'true')
    editable.setAttribute('aria-label', label ? label.textContent : msg('client.editor.message'))
    if (textarea.id) {
      editable.id = textarea.id + '-rich'
      if (label) label.htmlFor = editable.id
    }
    var describedBy = textarea.getAttribute('aria-describedby')
    if (describedBy) editable.setAttribute('aria-describedby', describedBy)
    var names = {
      'ql-bold': msg('client.editor.bold'),
      'ql-italic': msg('client.editor.italic'),
      'ql-list': msg('client.editor.list'),
      'ql-blockquote': msg('client.editor.quote'),
      'ql-link': msg('client.editor.link'),
      'ql-image': msg('client.editor.image'),
      'ql-video': msg('client.editor.video'),
      'ql-clean': msg('client.editor.clean'),
    }
    container.querySelectorAll('.ql-toolbar button').forEach(function (b) {
      var cls = Array.prototype.find.call(b.classList, function (c) {
        return names[c]
      })
      var name = names[cls] || msg('client.editor.format')
      if (b.value === 'bullet') name = msg('client.editor.bulletedList')
      if (b.value === 'ordered') name = msg('client.editor.numberedList')
      b.setAttribute('aria-label', name)
      b.title = name
    })

    var form = container.closest('form')
    form.addEventListener('submit', function () {
      var empty = quill.getText().trim() === '' && !surface.querySelector('img, iframe')
      hidden.value = empty ? '' : restoreSpaces(quill.getSemanticHTML())
      textarea.value = ''
    })
  }

  if (window.Quill) document.querySelectorAll('[data-editor]').forEach(setUpEditor)
  // After the editors, so the placeholder of a reopened "Internal comment" form is right too.
  document.querySelectorAll('form.reply-form').forEach(function (form) {
    var update = setUpReplyType(form)
    if (update) update()
  })
})()
