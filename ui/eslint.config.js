import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";

export default tseslint.config(
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { globals: globals.browser },
    rules: {
      // Untrusted text reaches the page through textContent only.
      "no-restricted-properties": [
        "error",
        { property: "innerHTML", message: "Use the h() helper: text goes in as textContent." },
      ],
    },
  },
);
