-- The budget alert (alert_at_percent of the monthly limit) goes out once a month: the month it last went out.
ALTER TABLE ai_budgets ADD COLUMN alert_notified_month date;
