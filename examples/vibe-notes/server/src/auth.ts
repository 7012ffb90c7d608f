import type { NextFunction, Request, Response } from 'express';
import jwt from 'jsonwebtoken';

export interface SessionClaims {
  sub: string;
  email?: string;
}

export function requireSession(req: Request, res: Response, next: NextFunction) {
  const header = req.headers.authorization ?? '';
  const token = header.startsWith('Bearer ') ? header.slice(7) : '';
  try {
    const claims = jwt.verify(token, process.env.SESSION_SECRET as string) as SessionClaims;
    res.locals.userId = claims.sub;
    next();
  } catch {
    res.status(401).json({ error: 'unauthorized' });
  }
}
