import { Router } from 'express';
import { deleteUser, listUsers } from '../store.js';

// Back-office endpoints for the team. "We'll add auth later."
export const admin = Router();

admin.get('/users', async (_req, res) => {
  try {
    res.json(await listUsers());
  } catch (err: any) {
    res.status(500).json({ error: err.message });
  }
});

admin.delete('/users/:id', async (req, res) => {
  await deleteUser(req.params.id);
  res.status(204).end();
});
