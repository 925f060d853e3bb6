"""E-mail over SMTP (pages and partner statement lists)."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from typing import Any

from bot.adapters.outbound.vendors import DeliveryFailed
from bot.paging_config import ChannelConfig

TIMEOUT = 20.0


def send_smtp(channel: ChannelConfig, message: dict[str, Any], **_: Any) -> None:
    recipients = [a.strip() for a in str(message.get("to") or "").split(",") if a.strip()]
    if not recipients:
        raise DeliveryFailed("no e-mail address to send to", retry=False)
    mail = EmailMessage()
    mail["Subject"] = message["title"]
    mail["From"] = channel.get("from")
    mail["To"] = ", ".join(recipients)
    mail.set_content(message["text"])
    host, port = channel.get("host"), int(channel.get("port") or (465 if channel.get("ssl") else 25))
    try:
        if channel.get("ssl"):
            client: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=TIMEOUT,
                                                    context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(host, port, timeout=TIMEOUT)
        with client:
            if channel.get("starttls"):
                client.starttls(context=ssl.create_default_context())
            if channel.get("username"):
                client.login(channel.get("username"), channel.get("password") or "")
            refused = client.send_message(mail)
    except smtplib.SMTPRecipientsRefused as exc:
        raise DeliveryFailed(f"refused for {', '.join(sorted(exc.recipients))}", retry=False) from None
    except smtplib.SMTPResponseException as exc:
        raise DeliveryFailed(f"SMTP {exc.smtp_code}", retry=400 <= exc.smtp_code < 500) from None
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryFailed(f"{exc.__class__.__name__} talking to {host}:{port}", retry=True) from None
    if refused:
        raise DeliveryFailed(f"refused for {', '.join(sorted(refused))}", retry=False)
