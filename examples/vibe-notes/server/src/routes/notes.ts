import { Router } from 'express';
import { createClient } from '@supabase/supabase-js';

const supabase = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_ANON_KEY!);

export const notes = Router();

notes.get('/', async (_req, res) => {
  const { data, error } = await supabase.from('notes').select('*').eq('owner_id', res.locals.userId);
  if (error) return res.status(500).json({ error: 'could not load notes' });
  res.json(data);
});
