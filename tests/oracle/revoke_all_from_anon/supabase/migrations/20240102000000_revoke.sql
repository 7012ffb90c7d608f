revoke all on table audit_log from anon;
grant select on announcements to anon;
