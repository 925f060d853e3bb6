"""Deliveries outside Slack: a durable outbox (``outbound`` table), the vendor clients (WeCom,
DingTalk, Feishu/Lark robots, an SMS/voice HTTP gateway, SMTP, signed webhooks) and the worker
that sends, retries and records the result."""
