"""``GET /rooms/{id}/settings`` bodies, derived from the room's seed so they are stable per room.

Which top-level keys each ``setting_type`` returns is inferred from Zoom's description (REFERENCE §6.4):
meeting → meeting_security + zoom_rooms; alert → client_alert + notification; signage → digital_signage;
scheduling_display → scheduling_display.
"""

from __future__ import annotations

import random
from typing import Any

from .model import SimRoom

SETTING_TYPES = ("meeting", "alert", "signage", "scheduling_display")

# Account-wide defaults; each room flips a couple of them so that rooms differ.
_ZOOM_ROOMS_FLAGS: dict[str, bool] = {
    "allow_multiple_content_sharing": True,
    "remote_support": False,
    "audio_device_daily_auto_test": True,
    "auto_direct_sharing": True,
    "auto_start_scheduled_meeting": False,
    "auto_stop_scheduled_meeting": False,
    "count_attendees_number_in_room": False,
    "display_feedback_survey": False,
    "display_meeting_list": True,
    "display_top_banner": True,
    "encrypt_shared_screen_content": True,
    "hide_id_for_private_meeting": False,
    "hide_share_instruction": False,
    "send_whiteboard_to_internal_contact_only": True,
    "show_alert_before_meeting": True,
    "show_call_history_in_room": False,
    "show_contact_list_on_controller": True,
    "make_room_alternative_host": False,
    "hide_user_personal_information": False,
    "bypass_meeting_password": True,
    "show_non_video_participants": True,
    "start_airplay_manually": False,
    "start_airplay_mirroring": True,
    "support_join_3rd_party_meeting": True,
    "transform_meeting_to_private": False,
    "upcoming_meeting_alert": True,
    "weekly_system_restart": True,
}
_CLIENT_ALERT = (
    "detect_bluetooth_microphone_error_alert",
    "detect_bluetooth_speaker_error_alert",
    "detect_camera_error_alert",
    "detect_microphone_error_alert",
    "detect_speaker_error_alert",
    "cpu_usage_high_detected_notification_on_zr_display",
    "network_unstable_detected_notification_on_zr_display",
)
_NOTIFICATION = (
    "audio_meet_usability_threshold",
    "audio_not_meet_usability_threshold",
    "battery_is_charging",
    "battery_low_and_not_charging",
    "controller_scheduling_disconnected",
    "controller_scheduling_reconnected",
    "cpu_usage_high_detected",
    "mic_speaker_camera_disconnected",
    "mic_speaker_camera_reconnected",
    "network_unstable_detected",
    "sip_registration_failed",
    "sip_registration_re_enabled",
    "zoom_room_come_back_online",
    "zoom_room_display_disconnected",
    "zoom_room_offline",
)


def room_settings(room: SimRoom, setting_type: str) -> dict[str, Any]:
    rng = random.Random(room.seed * 8 + SETTING_TYPES.index(setting_type))
    if setting_type == "meeting":
        flags = dict(_ZOOM_ROOMS_FLAGS)
        for key in rng.sample(sorted(flags), 2):
            flags[key] = not flags[key]
        return {
            "meeting_security": {
                "encryption_type": rng.choice(("enhanced_encryption", "enhanced_encryption", "e2ee")),
                "end_to_end_encrypted_meetings": False,
                "auto_security": True,
            },
            "zoom_rooms": {
                **flags,
                "entry_exit_chime": rng.choice(("none", "host", "all")),
                "record_play_own_voice": False,
                "incoming_meeting_request": {
                    "automatically_accept_incoming_meeting_request": rng.random() < 0.2,
                    "automatically_unmute": False,
                },
                "automatically_accept_far_end_camera_control_request": False,
                "zr_always_display_name_label_in_meeting": rng.random() < 0.5,
            },
        }
    if setting_type == "alert":
        return {
            "client_alert": {key: rng.random() < 0.85 for key in _CLIENT_ALERT},
            "notification": {
                **{key: rng.random() < 0.7 for key in _NOTIFICATION},
                "battery_percentage": rng.choice(("10", "20", "30")),
            },
        }
    if setting_type == "signage":
        enabled = rng.random() < 0.3
        return {
            "digital_signage": {
                "banner": {"banner_room_name": True, "banner_sharing_key": True, "banner_time": True},
                "display_period": {"start_displaying_content": 5, "stop_displaying_content": 5},
                "enable_digital_signage": enabled,
                "layout": "fullscreen",
                "mute": True,
                "play_list": [],
            }
        }
    return {
        "scheduling_display": {
            "instant_room_reservation": True,
            "reserve_other_rooms": {"allow_to_reserve_other_rooms": rng.random() < 0.5, "location_types": "floor"},
            "set_scheduling_display_background_image_to_zoom_room_background": False,
            "home_screen_theme": rng.choice(("standard", "compact")),
            "home_screen_qr_code_url": "",
            "home_screen_qr_code_supporting_text": "",
        }
    }
