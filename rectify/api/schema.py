"""The OpenAPI schema: every operation documents the error answers it may give."""

from drf_spectacular.openapi import AutoSchema

from .serializers.common import ErrorSerializer

#: Error answers of every operation; writes may also answer 409 (a stale edit).
ERROR_CODES = ("400", "401", "403", "404", "429")
WRITE_ERROR_CODES = (*ERROR_CODES, "409")


class ApiSchema(AutoSchema):
    """drf-spectacular's schema with the one error body (:class:`ErrorSerializer`) added."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = ERROR_CODES if self.method in ("GET", "HEAD") else WRITE_ERROR_CODES
        for code in codes:
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    ErrorSerializer, code, direction=direction
                )
        return responses
