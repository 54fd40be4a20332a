"""The WhatsApp Cloud API channel: webhook, parsing, rendering, sending (issue 4).

:class:`~bot.channels.whatsapp.channel.WhatsAppChannel` puts the pieces together from settings.
"""
