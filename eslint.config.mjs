// ESLint flat config: typescript-eslint's strict, type-aware rules for the program, functions, CLI,
// tests and the policy pack.
import eslint from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
    {
        ignores: ["node_modules/**", "policypack/node_modules/**", ".cache/**", "bin/**", "reports/**", "**/*.js", "**/*.mjs"],
    },
    eslint.configs.recommended,
    ...tseslint.configs.recommendedTypeChecked,
    {
        languageOptions: {
            parserOptions: {
                projectService: true,
                tsconfigRootDir: import.meta.dirname,
            },
        },
        rules: {
            "@typescript-eslint/no-explicit-any": "error",
            "@typescript-eslint/no-floating-promises": "error",
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
            "@typescript-eslint/consistent-type-imports": "off",
            "no-console": "off",
        },
    },
    {
        // Closures serialized into Lambdas and mocha specs use `this`-bound functions and chai's property assertions.
        files: ["test/**/*.ts"],
        rules: {
            "@typescript-eslint/no-unused-expressions": "off",
        },
    },
);
