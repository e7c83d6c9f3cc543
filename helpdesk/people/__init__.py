"""People administration (服务平台网络运营管理系统, issue 13 item 1): pages under /admin/people,
the `helpdesk user` CLI, and the service both use. Changes are logged in helpdesk.oplog."""
