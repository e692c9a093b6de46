/**
 * Stands in for the SDK's `validation/ajv-provider.js` in the bundles: the SDK's `Server`
 * constructs an Ajv validator eagerly, but only uses it to check elicitation answers, which these
 * servers never request. Loading Ajv (and ajv-formats) is deferred to the first real use, which
 * keeps it off the cold start (see `npx projen bench`).
 */
import type { JsonSchemaType, JsonSchemaValidator, jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js';

export class AjvJsonSchemaValidator implements jsonSchemaValidator {
  private real?: jsonSchemaValidator;

  constructor(private readonly ajv?: unknown) {}

  getValidator<T>(schema: JsonSchemaType): JsonSchemaValidator<T> {
    if (!this.real) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require('@modelcontextprotocol/sdk/validation/ajv') as { AjvJsonSchemaValidator: new (ajv?: unknown) => jsonSchemaValidator };
      this.real = new mod.AjvJsonSchemaValidator(this.ajv);
    }
    return this.real.getValidator<T>(schema);
  }
}
