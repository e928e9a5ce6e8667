SET LOCK_TIMEOUT 5000;
GO
CREATE INDEX IX_Orders_Date ON dbo.Orders (CreatedAt) WITH (ONLINE = ON (WAIT_AT_LOW_PRIORITY (MAX_DURATION = 1 MINUTES, ABORT_AFTER_WAIT = SELF)));
ALTER TABLE dbo.Orders ALTER COLUMN Note nvarchar(400) NULL;
ALTER TABLE dbo.Orders WITH NOCHECK ADD CONSTRAINT CK_Qty CHECK (Qty > 0);
EXEC sp_getapplock @Resource = 'migrations', @LockMode = 'Exclusive';
GO
