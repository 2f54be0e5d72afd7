"""After-sales: cancellations, returns and refunds, as TikTok Shop's return_refund resources.

Records (models.py) map onto the Partner API 202309 resources:

- ``aftersales_returns`` -> a return (``return_id``, ``order_id``, ``return_type`` REFUND |
  RETURN_AND_REFUND, ``return_status``, ``arbitration_status`` IN_PROGRESS | SUPPORT_BUYER |
  SUPPORT_SELLER, ``return_reason``, ``refund_amount`` {refund_total, refund_subtotal,
  refund_shipping_fee, refund_tax}, ``return_tracking_number``, ``return_provider_name``,
  ``seller_next_action_response`` from ``queries.next_action`` (deadline = ``due_at``),
  create/update times); ``aftersales_return_lines`` -> ``return_line_items`` (one per order
  line, with quantity and its own refund amounts); ``aftersales_history`` -> return records.
- ``aftersales_cancellations`` (+ lines) -> a cancellation (``cancel_id``, ``cancel_type``,
  ``cancel_status``, ``role``, ``cancel_reason``, ``refund_amount``, ``cancel_line_items``).

Events emitted: ``aftersales.opened`` {request_id, order_id, shop_id, type, buyer_user_id};
``aftersales.status_changed`` {request_id, kind: return | cancellation, order_id, shop_id,
from, to} on every transition (``from`` is null for a new record); ``aftersales.closed``
{request_id, order_id, shop_id, outcome: refunded | rejected | cancelled};
``aftersales.escalated`` {request_id, order_id, shop_id}.
Handled: ``orders.status_changed`` (a paid order CANCELLED -> a cancellation record) and
``carriers.tracking`` (purpose ``return``, DELIVERED -> the seller's receipt timer starts).
"""
