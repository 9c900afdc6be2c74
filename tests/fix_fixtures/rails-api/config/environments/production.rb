Rails.application.configure do
  config.cache_classes = true
  config.eager_load = true
  config.consider_all_requests_local = false
  config.log_level = :info
  config.logger = ActiveSupport::Logger.new($stdout)
  # Behind the load balancer, which terminates TLS.
  config.force_ssl = true
  config.hosts << "ledger.example.com"
  config.active_support.deprecation = :notify
end
