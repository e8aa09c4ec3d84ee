// Turns each [data-editor] textarea into a Quill rich-text editor. Without JavaScript the
// textarea is sent as plain text; with it, the editor's HTML goes in the hidden "html" field and
// the server sanitises it either way.
(function () {
  'use strict'
  if (!window.Quill) return

  var IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp']

  function setUp(container) {
    var textarea = container.querySelector('textarea')
    var hidden = container.querySelector('input[name="html"]')
    var label = container.querySelector('label')
    var surface = document.createElement('div')
    surface.className = 'editor-surface'
    container.insertBefore(surface, textarea)
    textarea.hidden = true

    var quill = new window.Quill(surface, {
      theme: 'snow',
      placeholder: 'Write here. Paste or drop images; paste a YouTube link to embed it.',
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
    editable.setAttribute('aria-label', label ? label.textContent : 'Message')
    if (textarea.id) {
      editable.id = textarea.id + '-rich'
      if (label) label.htmlFor = editable.id
    }
    var names = { 'ql-bold': 'Bold', 'ql-italic': 'Italic', 'ql-list': 'List', 'ql-blockquote': 'Quote', 'ql-link': 'Link', 'ql-image': 'Insert image', 'ql-video': 'Embed a video', 'ql-clean': 'Remove formatting' }
    container.querySelectorAll('.ql-toolbar button').forEach(function (b) {
      var cls = Array.prototype.find.call(b.classList, function (c) { return names[c] })
      var name = names[cls] || 'Format'
      if (b.value === 'bullet') name = 'Bulleted list'
      if (b.value === 'ordered') name = 'Numbered list'
      b.setAttribute('aria-label', name)
      b.title = name
    })

    var form = container.closest('form')
    form.addEventListener('submit', function () {
      var empty = quill.getText().trim() === '' && !surface.querySelector('img, iframe')
      hidden.value = empty ? '' : quill.getSemanticHTML()
      textarea.value = ''
    })
  }

  document.querySelectorAll('[data-editor]').forEach(setUp)
})()
