import express from 'express';
import { requireSession } from './auth.js';
import { admin } from './routes/admin.js';
import { notes } from './routes/notes.js';

const app = express();
app.use(express.json());
app.use('/api/notes', requireSession, notes);
app.use('/admin', admin);

app.listen(Number(process.env.PORT ?? 3000), () => {
  console.log('vibe-notes API listening');
});
