import 'express-session'
import type { Actor } from '../domain/actor.ts'

declare module 'express-session' {
  interface SessionData {
    agentId?: number
    flash?: { kind: 'success' | 'error' | 'info'; message: string }
  }
}

declare global {
  namespace Express {
    interface Request {
      agent?: Actor
    }
  }
}
