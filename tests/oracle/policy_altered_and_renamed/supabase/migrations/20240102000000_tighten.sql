alter policy "read items" on items to authenticated using ((select auth.uid()) = user_id);
alter policy "read items" on items rename to "read own items";
