from services.kit.grpc_server import serve
from services.supervision.service import DEFINITION

serve(DEFINITION)
