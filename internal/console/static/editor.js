// iamd console: the policy editor's enhancement. Without this file (or without JavaScript)
// the editor is a textarea whose Validate, Simulate and Save buttons work as forms.
// With it, the textarea becomes a CodeMirror editor (JSON mode, line numbers, brackets) that
// asks iamd's validator for its verdict as one types, and marks the fault's position.
"use strict";
(function () {
  var area = document.getElementById("document");
  var status = document.getElementById("validation");
  if (!area || !status) {
    return;
  }
  var form = area.form;
  var token = form.querySelector("input[name=csrf]").value;
  var kind = area.getAttribute("data-kind") || "managed";

  function show(v) {
    status.textContent = "";
    var span = document.createElement("span");
    if (v.valid) {
      span.className = "ok";
      span.textContent = "The document is valid.";
    } else {
      span.className = "bad";
      span.textContent = (v.line ? "Line " + v.line + ", column " + v.column + ": " : "") +
        "MalformedPolicyDocument: " + v.message;
    }
    status.appendChild(span);
  }

  // validate asks the console's validator (the repository's policy package, no API call).
  function validate(text) {
    return fetch("/console/api/validate", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": token },
      body: JSON.stringify({ document: text, kind: kind })
    }).then(function (r) {
      if (!r.ok) {
        throw new Error("validation unavailable: " + r.status);
      }
      return r.json();
    });
  }

  if (!window.CodeMirror) {
    // The textarea alone: validate after a pause in typing.
    var timer;
    area.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { validate(area.value).then(show, function () {}); }, 400);
    });
    return;
  }

  var cm = window.CodeMirror.fromTextArea(area, {
    mode: { name: "javascript", json: true },
    lineNumbers: true,
    matchBrackets: true,
    autoCloseBrackets: true,
    indentUnit: 2,
    tabSize: 2,
    viewportMargin: Infinity,
    lineWrapping: true,
    gutters: ["CodeMirror-lint-markers", "CodeMirror-linenumbers"],
    // Tab leaves the editor, as in any form field (Enter indents); Ctrl-] / Ctrl-[ indent.
    extraKeys: { "Tab": false, "Shift-Tab": false, "Ctrl-]": "indentMore", "Ctrl-[": "indentLess" },
    lint: {
      async: true,
      delay: 300,
      getAnnotations: function (text, done) {
        validate(text).then(function (v) {
          show(v);
          if (v.valid || !v.line) {
            done(v.valid ? [] : [{ from: window.CodeMirror.Pos(0, 0), to: window.CodeMirror.Pos(0, 1), message: v.message, severity: "error" }]);
            return;
          }
          var from = window.CodeMirror.Pos(v.line - 1, Math.max(0, v.column - 1));
          done([{ from: from, to: window.CodeMirror.Pos(v.line - 1, v.column), message: v.message, severity: "error" }]);
        }, function () { done([]); });
      }
    }
  });
  cm.on("change", function () {
    status.textContent = "Checking…";
  });
  var input = cm.getInputField();
  input.setAttribute("aria-label", "Policy document (JSON)");
  input.setAttribute("aria-describedby", "validation");
  // The textarea's label names the editor too; clicking it focuses the editor.
  var label = document.querySelector("label[for=document]");
  if (label) {
    label.addEventListener("click", function () { cm.focus(); });
  }
  form.addEventListener("submit", function () { cm.save(); });
})();
