// The validators src/rules/generate-validators.ts compiles into schema-validators.generated.js
// (npm run gen:rules): Ajv standalone functions, `errors` set as Ajv's are.
import type { ValidateFunction } from 'ajv';

export declare const rule: ValidateFunction;
export declare const common: ValidateFunction;
export declare const kb_restore_steps: ValidateFunction;
export declare const kb_kernels: ValidateFunction;
export declare const kb_functions: ValidateFunction;
export declare const kb_vfio_paths: ValidateFunction;
export declare const kb_fixes: ValidateFunction;
export declare const kb_effects: ValidateFunction;
