alter view recent_orders set (security_invoker = on);
