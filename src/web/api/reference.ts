import type { Request, Response } from 'express'

/** The API reference page, written from the OpenAPI document. */
export function referencePage(document: () => object) {
  return (_req: Request, res: Response) => {
    res.json(document())
  }
}
