// Interface words for the scripts, in the page's language. The build writes the
// edition's message catalogue (messages/<language>.yml) into every page as JSON
// (overrides/main.html); scripts ask for words by key:
//
//   encyclopedia.t("cell.run")                        -> "Run" / "Ejecutar"
//   encyclopedia.t("cell.ran_in", { time: "12 ms" })  -> "Ran in 12 ms."
//   encyclopedia.words(spec.title)                    -> an engine's message reference, a key or {key, ...values}
//
// {name} placeholders are filled as sitebuild/i18n.py fills them. Loaded
// before every other script of the site (mkdocs.yml's extra_javascript).
(function () {
  "use strict";
  const site = (window.encyclopedia = window.encyclopedia || {});
  const node = document.getElementById("encyclopedia-messages");
  const messages = node ? JSON.parse(node.textContent) : {};
  const PLACEHOLDER = /\{([a-z_][a-z0-9_]*)\}/g;

  site.language = document.documentElement.lang || "en";
  site.messages = messages;

  // A key the catalogue lacks is a bug the tests catch; on the page, show the key
  // rather than nothing, and say so in the console.
  site.t = function (key, params) {
    const message = messages[key];
    if (typeof message !== "string") {
      console.error(`encyclopedia: no message ${key} in the ${site.language} catalogue`);
      return key;
    }
    return message.replace(PLACEHOLDER, (whole, name) => (params && name in params ? String(params[name]) : whole));
  };

  site.words = function (ref) {
    if (typeof ref === "string") return site.t(ref);
    const { key, ...params } = ref;
    return site.t(key, params);
  };

  // Numbers as the reader's language writes them: only the decimal mark changes.
  const separators = messages["format.separators"] || ".,";
  site.decimalMark = separators[0];
  site.plotlySeparators = separators;
  site.localNumber = (text) => (site.decimalMark === "." ? text : String(text).replace(/\./g, site.decimalMark));
})();
