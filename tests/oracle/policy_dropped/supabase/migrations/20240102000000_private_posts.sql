drop policy "anyone reads" on posts;
