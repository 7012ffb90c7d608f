revoke all on all tables in schema public from anon, authenticated;
grant select on all tables in schema public to anon, authenticated;
