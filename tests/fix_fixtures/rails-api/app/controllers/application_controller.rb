class ApplicationController < ActionController::API
  before_action :authenticate!

  def not_found
    head :not_found
  end

  private

  # Every request needs the API token.
  def authenticate!
    token = request.headers["Authorization"].to_s.delete_prefix("Bearer ")
    head :unauthorized unless ActiveSupport::SecurityUtils.secure_compare(token, ENV.fetch("LEDGER_TOKEN", ""))
  end
end
