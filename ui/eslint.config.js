import js from "@eslint/js";
import tseslint from "typescript-eslint";
import solid from "eslint-plugin-solid/configs/typescript";
import globals from "globals";

export default tseslint.config(
  js.configs.recommended,
  ...tseslint.configs.strict,
  { files: ["src/**/*.{ts,tsx}"], ...solid },
  {
    languageOptions: { globals: globals.browser },
    rules: {
      // Untrusted text reaches the page as text only.
      "no-restricted-properties": [
        "error",
        { property: "innerHTML", message: "Text goes in as text: no innerHTML." },
      ],
      "solid/no-innerhtml": "error",
      // run() calls its work at once, like an event handler.
      "solid/reactivity": ["warn", { customReactiveFunctions: ["run"] }],
    },
  },
);
