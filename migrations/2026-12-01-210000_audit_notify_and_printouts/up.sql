-- The audit log covers the tables that arrived beside it: organizers' webhook endpoints and the
-- certificates they issue. The worker's own bookkeeping on an endpoint (when it started failing)
-- is not a change of its own. The outbox and the badge disclosures are logs themselves.
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON webhook_endpoints FOR EACH ROW
    EXECUTE FUNCTION audit_row_change('updated_at', 'failing_since');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON certificates FOR EACH ROW
    EXECUTE FUNCTION audit_row_change();
