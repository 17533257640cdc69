/**
 * One error shape for every API answer: `{statusCode, error, code, message}` plus details. Schema
 * failures name the field; unexpected errors are logged and answered without internals.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { AppError } from '../admin/errors.js';

export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | AppError, req, reply) => {
    if (err instanceof AppError) {
      if (err.code === 'locked' && err.details?.retryAfterSeconds) {
        void reply.header('retry-after', String(err.details.retryAfterSeconds));
      }
      return reply.status(err.statusCode).send({
        statusCode: err.statusCode,
        error: STATUS_CODES[err.statusCode],
        code: err.code,
        message: err.message,
        ...err.details,
      });
    }
    const status = err.statusCode ?? 500;
    if (status >= 500) {
      req.log.error({ err }, 'request failed');
      return reply.status(500).send({
        statusCode: 500,
        error: 'Internal Server Error',
        code: 'internal',
        message: 'The controller failed to handle the request; see its log',
      });
    }
    let code = err.code ?? 'bad_request';
    let message = err.message;
    if (err.validation) {
      code = 'validation';
      message = message.replace(/^(body|querystring|params)\//, '$1.');
      // Ajv's message for an unknown field does not say which one.
      const first = err.validation[0];
      const extra = (first?.params as { additionalProperty?: unknown } | undefined)
        ?.additionalProperty;
      if (first?.keyword === 'additionalProperties' && typeof extra === 'string') {
        const where = `${err.validationContext ?? 'body'}${first.instancePath.replace(/\//g, '.')}`;
        message = `${where}.${extra}: additional field not allowed`;
      }
    } else if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError) {
      code = 'invalid_json';
      message = `Request body is not valid JSON: ${err.message}`;
    }
    return reply.status(status).send({
      statusCode: status,
      error: STATUS_CODES[status],
      code,
      message,
    });
  });
}

/** The JSON 404 of the API (the console's paths fall back to its index instead). */
export function notFoundBody(method: string, url: string) {
  return {
    statusCode: 404,
    error: 'Not Found',
    code: 'not_found',
    message: `No route ${method} ${url.split('?')[0]}`,
  };
}
