from services.datacenter.service import DEFINITION
from services.kit.grpc_server import serve

serve(DEFINITION)
