create table accounts_copy as select id, name from public.accounts;
grant select on accounts_copy to authenticated;
