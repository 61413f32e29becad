/* The article body's editor: SunEditor (vendor/suneditor) over the form's textarea.
 *
 * Without JavaScript the textarea stays (HTML by hand). With it, staff get headings,
 * lists, tables, links and images by address (the article's own uploaded images, listed
 * under the form). The editor writes its HTML back into the textarea before the form is
 * sent; the server cleans it against its allow-list on save, as it does any body. */
(function () {
  "use strict";

  function language() {
    var code = (document.documentElement.lang || "").toLowerCase();
    var langs = window.SUNEDITOR_LANG || {};
    return code.indexOf("zh") === 0 && langs.zh_cn ? langs.zh_cn : undefined;
  }

  function start(textarea) {
    var editor = window.SUNEDITOR.create(textarea, {
      lang: language(),
      width: "100%",
      minHeight: "320px",
      height: "auto",
      defaultTag: "p",
      formats: ["p", "h2", "h3", "h4", "blockquote"],
      buttonList: [
        ["undo", "redo"],
        ["formatBlock"],
        ["bold", "italic", "underline", "strike", "subscript", "superscript"],
        ["removeFormat"],
        ["list", "outdent", "indent", "horizontalRule"],
        ["table", "link", "image"],
        ["codeView", "fullScreen"],
      ],
      // Images by address only: files are uploaded (verified, re-encoded) on the article's page.
      imageFileInput: false,
      imageUrlInput: true,
      addTagsWhitelist: "figure|figcaption",
    });
    textarea.form.addEventListener("submit", function () {
      editor.save();
    });
    textarea.richEditor = editor;
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.SUNEDITOR) return;
    document.querySelectorAll("textarea[data-rich-text]").forEach(start);
  });
})();
