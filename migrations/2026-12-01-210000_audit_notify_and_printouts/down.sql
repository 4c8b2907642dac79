DROP TRIGGER audit ON certificates;
DROP TRIGGER audit ON webhook_endpoints;
